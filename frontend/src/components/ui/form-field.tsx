import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  label: ReactNode;
  /** The message shown under the control when its value is wrong. */
  error?: string | null;
  hint?: ReactNode;
  /** Renders the control with the id and ARIA attributes that tie it to the label, hint and error. */
  children: (control: FieldControlProps) => ReactNode;
  className?: string;
  /** visuallyHiddenLabel keeps the label for assistive technology only. */
  hideLabel?: boolean;
}

/** Field is a label, a control, an optional hint and the control's error message. */
export function Field({ label, error, hint, children, className, hideLabel }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', error ? 'field--invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : 'field__label'}>
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'>;

interface TextFieldProps extends InputProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
  fieldClassName?: string;
}

/** TextField is a labelled text input. */
export function TextField({ label, value, onChange, error, hint, fieldClassName, ...rest }: TextFieldProps) {
  return (
    <Field label={label} error={error} hint={hint} className={fieldClassName}>
      {(control) => (
        <input className="input" value={value} onChange={(e) => onChange(e.target.value)} {...rest} {...control} />
      )}
    </Field>
  );
}

type TextAreaProps = Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value' | 'id'>;

interface TextAreaFieldProps extends TextAreaProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
  fieldClassName?: string;
}

export function TextAreaField({ label, value, onChange, error, hint, fieldClassName, ...rest }: TextAreaFieldProps) {
  return (
    <Field label={label} error={error} hint={hint} className={fieldClassName}>
      {(control) => (
        <textarea className="input textarea" value={value} onChange={(e) => onChange(e.target.value)} {...rest} {...control} />
      )}
    </Field>
  );
}

type SelectProps = Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value' | 'id'>;

interface SelectFieldProps extends SelectProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint?: ReactNode;
  fieldClassName?: string;
  hideLabel?: boolean;
  children: ReactNode;
}

export function SelectField({
  label,
  value,
  onChange,
  error,
  hint,
  fieldClassName,
  hideLabel,
  children,
  ...rest
}: SelectFieldProps) {
  return (
    <Field label={label} error={error} hint={hint} className={fieldClassName} hideLabel={hideLabel}>
      {(control) => (
        <select className="input select" value={value} onChange={(e) => onChange(e.target.value)} {...rest} {...control}>
          {children}
        </select>
      )}
    </Field>
  );
}

type CheckboxProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'checked' | 'id' | 'type'>;

interface CheckboxFieldProps extends CheckboxProps {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | null;
  hint?: ReactNode;
}

/** CheckboxField is a checkbox with its label beside it, an optional hint and the error message. */
export function CheckboxField({ label, checked, onChange, error, hint, ...rest }: CheckboxFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <div className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={hint ? hintId : undefined}
          {...rest}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
