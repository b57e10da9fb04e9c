import { centralUrlSchema } from '../contract/device-status.ts';
import { ENROL_CODE_LENGTH, enrolCodeSchema, normaliseEnrolCode } from '../api/central-http.ts';
import type { Translate } from '../i18n/messages.ts';

/*
 * The technician form's pure half: how the code field reformats what is typed, and the checks made
 * before anything is sent. Same schemas as the services, but messages in the technician's language.
 */

/**
 * What the code field shows for what was typed: upper case, separators dropped, at most 8 characters,
 * a dash after the fourth ("abcd efg" → "ABCD-EFG"). Characters outside the code alphabet (0, O, 1, I,
 * L) are kept so validation can say what is wrong instead of them silently vanishing.
 */
export function formatCodeInput(typed: string): string {
  const chars = normaliseEnrolCode(typed)
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, ENROL_CODE_LENGTH);
  return chars.length > 4 ? `${chars.slice(0, 4)}-${chars.slice(4)}` : chars;
}

export interface EnrolFormValues {
  centralUrl: string;
  code: string;
}

export interface EnrolFormCheck {
  /** Translated problems per field; empty when the form may be sent. */
  errors: Partial<Record<keyof EnrolFormValues, string>>;
  /** What to send: the address as typed (the services normalise it), the code without the dash. */
  input: EnrolFormValues | null;
}

export function checkEnrolForm(values: EnrolFormValues, t: Translate): EnrolFormCheck {
  const errors: EnrolFormCheck['errors'] = {};
  const centralUrl = values.centralUrl.trim();
  if (!centralUrl) errors.centralUrl = t('enrol.validation.centralUrl.empty');
  else if (!centralUrlSchema.safeParse(centralUrl).success) errors.centralUrl = t('enrol.validation.centralUrl.invalid');

  const code = normaliseEnrolCode(values.code);
  if (!code) errors.code = t('enrol.validation.code.empty');
  else if (code.length !== ENROL_CODE_LENGTH) errors.code = t('enrol.validation.code.length', { count: code.length });
  else if (!enrolCodeSchema.safeParse(code).success) errors.code = t('enrol.validation.code.chars');

  const ok = errors.centralUrl === undefined && errors.code === undefined;
  return { errors, input: ok ? { centralUrl, code } : null };
}
