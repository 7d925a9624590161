/** Unique Property Reference Number: up to 12 digits, fixed for the life of a property. */
export const UPRN_PATTERN = /^\d{1,12}$/;
/** School Unique Reference Number: 6 digits. */
export const SCHOOL_URN_PATTERN = /^\d{6}$/;
/** A council's ONS local authority code: E (England), N, S or W and 8 digits, e.g. E09000028 (Southwark). */
export const LOCAL_AUTHORITY_CODE_PATTERN = /^[ENSW]\d{8}$/;
/** The organisation code of a virtual school, which is its council's: an ONS local authority code, never a URN. */
export function isVirtualSchoolCode(organisation: string): boolean {
  return LOCAL_AUTHORITY_CODE_PATTERN.test(organisation);
}
/** UK postcode, with or without its space; upper case. */
export const POSTCODE_PATTERN = /^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$/;
/** A partner's own reference: what its staff quote on the phone. */
export const PARTNER_REFERENCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,99}$/;
/**
 * A reference as the canonical notification keeps it: the partner's own, or, where the partner
 * numbers its records per system (a FHIR Identifier), `<system URI>|<reference>` (FHIR's own
 * token form), so two systems of one organisation using the same number stay two notifications.
 */
export const CANONICAL_PARTNER_REFERENCE_PATTERN = /^(?:[A-Za-z][A-Za-z0-9+.-]*:[^\s|]{1,250}\|)?[A-Za-z0-9][A-Za-z0-9/_.-]{0,99}$/;
export const CANONICAL_PARTNER_REFERENCE_MESSAGE =
  '$property must be 1 to 100 letters, digits and / _ . - starting with a letter or digit, optionally after the URI of the system that issued it and a |';

export function normalisePostcode(postcode: string): string {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** Personal names: letters (any script), spaces, apostrophes, hyphens and full stops. */
export const PERSON_NAME_PATTERN = /^[\p{L}\p{M}' .-]+$/u;
export const PERSON_NAME_MESSAGE = '$property may contain letters, spaces, apostrophes, hyphens and full stops only';
