/** A code as words: `awaiting_screening` → "awaiting screening". */
export const words = (code: string): string => code.replaceAll('_', ' ');

/** A code as words that start a sentence: `awaiting_screening` → "Awaiting screening". */
export const sentence = (code: string): string => words(code).replace(/^./, (first) => first.toUpperCase());
