// Owns CSV text <-> records (RFC 4180): a push parser with hard limits that reports broken quoting and
// over-long lines with line numbers and carries on at the next line; and the writer for exports.
//
// Grammar (RFC 4180 §2): record = field *("," field) CRLF; field = escaped / non-escaped;
// escaped = DQUOTE *(TEXTDATA / "," / CR / LF / 2DQUOTE) DQUOTE. We also accept bare LF and bare CR
// as line ends (spreadsheets write them) and ignore blank lines.

export interface CsvLimits {
  /** Longest field, in characters. */
  maxFieldChars: number;
  /** Longest record (all fields and separators), in characters. */
  maxRecordChars: number;
  maxFields: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { maxFieldChars: 64 * 1024, maxRecordChars: 64 * 1024, maxFields: 64 };

export type CsvRecord =
  | { line: number; fields: string[] }
  | { line: number; error: { code: 'ERR_CSV_SYNTAX' | 'ERR_CSV_LIMIT'; message: string } };

enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterCr,
  Skip,
}

export interface CsvParser {
  /** Feeds text; returns the records completed by it. Never throws on malformed input. */
  push(text: string): CsvRecord[];
  /** Signals end of input; returns the last record (or the error of an unterminated field). */
  end(): CsvRecord[];
}

export function createCsvParser(limits: CsvLimits = DEFAULT_CSV_LIMITS): CsvParser {
  let state: S = S.FieldStart;
  let line = 1;
  let recordLine = 1;
  let field = '';
  let fields: string[] = [];
  let recordChars = 0;
  let pendingError: { code: 'ERR_CSV_SYNTAX' | 'ERR_CSV_LIMIT'; message: string } | null = null;
  let out: CsvRecord[] = [];
  let quotedStartLine = 1;

  function endField(): boolean {
    fields.push(field);
    field = '';
    if (fields.length > limits.maxFields) {
      fail('ERR_CSV_LIMIT', `line ${recordLine}: more than ${limits.maxFields} fields`);
      return false;
    }
    return true;
  }
  function endRecord(): void {
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
    fields = [];
    recordChars = 0;
    state = S.FieldStart;
  }
  function fail(code: 'ERR_CSV_SYNTAX' | 'ERR_CSV_LIMIT', message: string): void {
    pendingError = { code, message };
    field = '';
    fields = [];
    state = S.Skip;
  }
  function newLineStarts(): void {
    line++;
    recordLine = line;
  }
  function lineEnd(c: number): void {
    if (endField()) endRecord();
    else {
      out.push({ line: recordLine, error: pendingError! });
      pendingError = null;
      fields = [];
      recordChars = 0;
    }
    if (c === 10) {
      newLineStarts();
      state = S.FieldStart;
    } else state = S.AfterCr;
  }

  return {
    push(text) {
      out = [];
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (state === S.Skip) {
          if (c === 10) {
            out.push({ line: recordLine, error: pendingError! });
            pendingError = null;
            fields = [];
            recordChars = 0;
            newLineStarts();
            state = S.FieldStart;
          }
          continue;
        }
        if (state === S.AfterCr) {
          newLineStarts();
          state = S.FieldStart;
          if (c === 10) continue;
        }
        if (++recordChars > limits.maxRecordChars) {
          fail('ERR_CSV_LIMIT', `line ${recordLine}: longer than ${limits.maxRecordChars} characters`);
          if (c === 10) i--;
          continue;
        }
        switch (state) {
          case S.FieldStart:
            if (c === 34 /* " */) {
              state = S.Quoted;
              quotedStartLine = line;
            } else if (c === 44 /* , */) endField();
            else if (c === 10 || c === 13) lineEnd(c);
            else {
              field += text[i];
              state = S.Unquoted;
            }
            break;
          case S.Unquoted:
            if (c === 44) {
              if (endField()) state = S.FieldStart;
            } else if (c === 10 || c === 13) lineEnd(c);
            else if (c === 34)
              fail(
                'ERR_CSV_SYNTAX',
                `line ${line}: a double quote inside an unquoted field ` +
                  '(quote the whole field and double the quote: "")',
              );
            else {
              field += text[i];
              if (field.length > limits.maxFieldChars)
                fail('ERR_CSV_LIMIT', `line ${recordLine}: a field longer than ${limits.maxFieldChars} characters`);
            }
            break;
          case S.Quoted:
            if (c === 34) state = S.QuoteInQuoted;
            else {
              if (c === 10) line++;
              field += text[i];
              if (field.length > limits.maxFieldChars)
                fail('ERR_CSV_LIMIT', `line ${recordLine}: a field longer than ${limits.maxFieldChars} characters`);
            }
            break;
          case S.QuoteInQuoted:
            if (c === 34) {
              field += '"';
              state = S.Quoted;
            } else if (c === 44) {
              if (endField()) state = S.FieldStart;
            } else if (c === 10 || c === 13) lineEnd(c);
            else
              fail(
                'ERR_CSV_SYNTAX',
                `line ${line}: unexpected character after the closing quote of ` +
                  'a field (a quote inside a quoted field must be doubled: "")',
              );
            break;
        }
      }
      return out;
    },
    end() {
      out = [];
      switch (state) {
        case S.Skip:
          out.push({ line: recordLine, error: pendingError! });
          break;
        case S.Quoted:
          out.push({
            line: recordLine,
            error: {
              code: 'ERR_CSV_SYNTAX',
              message: `line ${recordLine}: quoted field opened on line ${quotedStartLine} is never closed`,
            },
          });
          break;
        case S.Unquoted:
        case S.QuoteInQuoted:
          if (endField()) endRecord();
          else out.push({ line: recordLine, error: pendingError! });
          break;
        case S.FieldStart:
          if (fields.length) {
            if (endField()) endRecord();
            else out.push({ line: recordLine, error: pendingError! });
          }
          break;
        case S.AfterCr:
          break;
      }
      state = S.FieldStart;
      fields = [];
      field = '';
      return out;
    },
  };
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string, limits?: CsvLimits): CsvRecord[] {
  const p = createCsvParser(limits);
  return [...p.push(text), ...p.end()];
}

/**
 * One CSV field. Quotes when needed; and neutralises spreadsheet formulas (a leading = + - @ tab or CR
 * is prefixed with ') so an exported value never executes in the spreadsheet that opens it.
 */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
