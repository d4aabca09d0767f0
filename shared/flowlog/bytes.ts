/**
 * Byte constants and byte-class tables of the scanner.
 */

/** `\t`, 0x09 */
const TAB = 0x09;
/** `\n`, 0x0A */
const LF = 0x0a;
/** `\r`, 0x0D */
const CR = 0x0d;
/** ` `, 0x20 */
const SPACE = 0x20;
/** `"`, 0x22 */
const QUOTE = 0x22;
/** `-`, 0x2D: an absent value. */
const DASH = 0x2d;
/** `0`, 0x30 */
const DIGIT_ZERO = 0x30;
/** `\`, 0x5C */
const BACKSLASH = 0x5c;
/** `{`, 0x7B */
const OPEN_BRACE = 0x7b;
/** `}`, 0x7D */
const CLOSE_BRACE = 0x7d;

/** Class bit: a field separator (space or tab). */
const CLASS_BLANK = 1;
/** Class bit: must be escaped in a JSON string (`"`, `\`, controls). */
const CLASS_ESCAPE = 2;
/** Class bit: not ASCII; the field needs UTF-8 validation. */
const CLASS_HIGH = 4;
/** Class bit: an ASCII digit. */
const CLASS_DIGIT = 8;

function buildByteClasses(): Uint8Array {
  const table = new Uint8Array(256);
  for (let b = 0; b < 0x20; b++) table[b] = CLASS_ESCAPE;
  for (let b = 0x80; b < 0x100; b++) table[b] = CLASS_HIGH;
  for (let b = 0x30; b <= 0x39; b++) table[b] = CLASS_DIGIT;
  table[TAB] = CLASS_BLANK;
  table[SPACE] = CLASS_BLANK;
  table[QUOTE] = CLASS_ESCAPE;
  table[BACKSLASH] = CLASS_ESCAPE;
  return table;
}

/** Byte → OR of CLASS_* bits; index is the byte value. */
const BYTE_CLASS: Uint8Array = buildByteClasses();

export {
  BACKSLASH,
  BYTE_CLASS,
  CLASS_BLANK,
  CLASS_DIGIT,
  CLASS_ESCAPE,
  CLASS_HIGH,
  CLOSE_BRACE,
  CR,
  DASH,
  DIGIT_ZERO,
  LF,
  OPEN_BRACE,
  QUOTE,
  SPACE,
  TAB,
};
