// Owns the phone filter form: one control per field of the server's query field table
// (src/phones/query-fields.ts), so a new filter appears here without a second list. Secret fields are not
// drawn: the page that offers one keeps it out of the URL itself.

import {
  PHONE_FILTER_FIELDS,
  PHONE_SORTS,
  phoneFilterFields,
  type FilterFieldSpec,
} from '../../../src/phones/query-fields.ts';
import { Field } from './ui.tsx';

export { PHONE_FILTER_FIELDS, PHONE_SORTS, phoneFilterFields };
export type FilterDraft = Record<string, string>;

/** The fields a form group shows: by placement, never the secret ones. */
export function formFields(group?: 'main' | 'more'): [string, FilterFieldSpec][] {
  return phoneFilterFields().filter(([, f]) => f.web && !f.secret && (group === undefined || f.web === group));
}

/** Every form field empty. */
export function emptyFilter(): FilterDraft {
  return Object.fromEntries(formFields().map(([k]) => [k, '']));
}

/** The filter as the API takes it: empty fields dropped, booleans as JSON booleans. */
export function filterBody(d: FilterDraft): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, f] of phoneFilterFields()) {
    const v = d[k];
    if (v === undefined || v === '') continue;
    out[k] = f.type === 'boolean' ? v === 'true' : v;
  }
  return out;
}

interface ControlProps {
  name: string;
  f: FilterFieldSpec;
  value: string;
  onChange: (v: string) => void;
}

function Control({ name, f, value, onChange }: ControlProps) {
  switch (f.type) {
    case 'enum':
      return (
        <Field label={f.label}>
          {(id) => (
            <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)}>
              <option value="">Any</option>
              {Object.entries(f.values ?? {}).map(([code, text]) => (
                <option key={code} value={code}>
                  {text}
                </option>
              ))}
            </select>
          )}
        </Field>
      );
    case 'time':
      return (
        <Field label={f.label}>
          {(id) => (
            <input
              id={id}
              name={name}
              type="date"
              value={value.slice(0, 10)}
              onChange={(e) => onChange(e.target.value ? `${e.target.value}T00:00:00Z` : '')}
            />
          )}
        </Field>
      );
    case 'boolean':
      return (
        <Field label={f.label}>
          {(id) => (
            <input
              id={id}
              name={name}
              type="checkbox"
              checked={value === 'true'}
              onChange={(e) => onChange(e.target.checked ? 'true' : '')}
            />
          )}
        </Field>
      );
    case 'text':
      return (
        <Field label={f.label} hint={f.hint}>
          {(id, d) => (
            <input
              id={id}
              name={name}
              aria-describedby={d}
              maxLength={f.maxLength}
              value={value}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
        </Field>
      );
  }
}

/** The controls of one group of the filter form. */
export function PhoneFilterFields({
  group,
  value,
  onChange,
}: {
  group: 'main' | 'more';
  value: FilterDraft;
  onChange: (v: FilterDraft) => void;
}) {
  return (
    <>
      {formFields(group).map(([name, f]) => (
        <Control
          key={name}
          name={name}
          f={f}
          value={value[name] ?? ''}
          onChange={(v) => onChange({ ...value, [name]: v })}
        />
      ))}
    </>
  );
}
