/**
 * A UTC date and time as one text field (one tab stop, not the five segments of datetime-local):
 * `2025-09-01 00:00`; `2025-09-01T00:00` and a bare date read too (form.ts inputToIso).
 */
export function DateTimeInput({ label, path, value, onChange }: { label: string; path?: string; value: string; onChange(value: string): void }) {
  return (
    <label className="datetime-input">
      <span>{label} (UTC)</span>
      <input
        aria-label={label}
        data-path={path}
        type="text"
        inputMode="numeric"
        placeholder="YYYY-MM-DD HH:MM"
        pattern="\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?"
        size={16}
        value={value.replace('T', ' ')}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
