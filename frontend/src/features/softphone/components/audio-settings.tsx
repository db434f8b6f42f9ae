import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** canChooseOutput: HTMLMediaElement.setSinkId exists (Chromium, recent Firefox). */
export function canChooseOutput(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** useAudioDevices lists microphones and speakers, again whenever they change (labels come once access is given). */
function useAudioDevices(refreshKey: unknown): { inputs: MediaDeviceInfo[]; outputs: MediaDeviceInfo[] } {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    if (!md?.enumerateDevices) return;
    let alive = true;
    const read = () =>
      md.enumerateDevices().then(
        (list) => alive && setDevices(list),
        () => undefined,
      );
    void read();
    md.addEventListener?.('devicechange', read);
    return () => {
      alive = false;
      md.removeEventListener?.('devicechange', read);
    };
  }, [refreshKey]);
  return {
    inputs: devices.filter((d) => d.kind === 'audioinput'),
    outputs: devices.filter((d) => d.kind === 'audiooutput'),
  };
}

interface AudioSettingsProps {
  stream: MediaStream | null;
  inputId: string;
  outputId: string;
  onInput: (deviceId: string) => void;
  onOutput: (deviceId: string) => void;
}

/** AudioSettings picks the microphone and the speaker and shows the microphone's level. */
export function AudioSettings({ stream, inputId, outputId, onInput, onOutput }: AudioSettingsProps) {
  const { t } = useTranslation();
  const id = useId();
  const { inputs, outputs } = useAudioDevices(stream);
  const label = (d: MediaDeviceInfo, i: number) => d.label || t('phone.devices.unnamed', { n: i + 1 });
  return (
    <div className="audio-settings">
      <MicLevel stream={stream} />
      <label htmlFor={`${id}-in`} className="audio-settings__label">
        {t('phone.devices.input')}
      </label>
      <select id={`${id}-in`} className="input select input--small" value={inputId} onChange={(e) => onInput(e.target.value)}>
        <option value="">{t('phone.devices.default')}</option>
        {inputs
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {label(d, i)}
            </option>
          ))}
      </select>
      {canChooseOutput() && (
        <>
          <label htmlFor={`${id}-out`} className="audio-settings__label">
            {t('phone.devices.output')}
          </label>
          <select id={`${id}-out`} className="input select input--small" value={outputId} onChange={(e) => onOutput(e.target.value)}>
            <option value="">{t('phone.devices.default')}</option>
            {outputs
              .filter((d) => d.deviceId && d.deviceId !== 'default')
              .map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {label(d, i)}
                </option>
              ))}
          </select>
        </>
      )}
    </div>
  );
}

/**
 * MicLevel shows how loud the microphone is (the RMS of an AnalyserNode
 * on the local stream), so an agent sees at once that they are heard.
 */
function MicLevel({ stream }: { stream: MediaStream | null }) {
  const { t } = useTranslation();
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const Ctor = typeof window !== 'undefined' ? window.AudioContext : undefined;
    if (!stream || !Ctor || stream.getAudioTracks().length === 0) return;
    let ctx: AudioContext;
    try {
      ctx = new Ctor();
    } catch {
      return;
    }
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let last = -1;
    // 10 readings a second are plenty for a meter and cheap on a busy laptop.
    const timer = window.setInterval(() => {
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      const rms = Math.sqrt(sum / buf.length);
      // -60 dBFS..0 dBFS onto 0..100
      const db = rms > 0 ? 20 * Math.log10(rms) : -100;
      const pct = Math.round(Math.min(100, Math.max(0, ((db + 60) / 60) * 100)));
      if (pct !== last) setLevel((last = pct));
    }, 100);
    return () => {
      window.clearInterval(timer);
      source.disconnect();
      void ctx.close().catch(() => undefined);
    };
  }, [stream]);
  return (
    <div className="mic-level">
      <span className="audio-settings__label" id="mic-level-label">
        {t('phone.devices.level')}
      </span>
      <div
        className="mic-level__bar"
        role="meter"
        aria-labelledby="mic-level-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={stream ? level : 0}
      >
        <div className="mic-level__fill" style={{ width: `${stream ? level : 0}%` }} />
      </div>
    </div>
  );
}
