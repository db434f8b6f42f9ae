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
  return (
    <div className="audio-settings">
      <MicLevel stream={stream} />
      <DeviceSelect id={`${id}-in`} label={t('phone.devices.input')} devices={inputs} value={inputId} onChange={onInput} />
      {canChooseOutput() && (
        <DeviceSelect id={`${id}-out`} label={t('phone.devices.output')} devices={outputs} value={outputId} onChange={onOutput} />
      )}
    </div>
  );
}

interface DeviceSelectProps {
  id: string;
  label: string;
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (deviceId: string) => void;
}

/** DeviceSelect picks one device of a kind; "" is the system's default. */
function DeviceSelect({ id, label, devices, value, onChange }: DeviceSelectProps) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id} className="audio-settings__label">
        {label}
      </label>
      <select id={id} className="input select input--small" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('phone.devices.default')}</option>
        {devices
          .filter((d) => d.deviceId && d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t('phone.devices.unnamed', { n: i + 1 })}
            </option>
          ))}
      </select>
    </>
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
