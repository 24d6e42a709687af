// Parses and formats Sec-WebSocket-Extensions (RFC 6455 section 9.1):
//   extension-list = 1#extension ; extension = name *( ";" param ) ; param = token [ "=" (token | quoted-string) ]

export interface ExtensionOffer {
  name: string;
  /** In order of appearance; `true` for a parameter given without a value. Duplicates are kept. */
  params: Array<[string, string | true]>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits on `sep` outside quoted strings. */
function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new SyntaxError('unterminated quoted string');
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  if (value.length < 2 || !value.endsWith('"')) throw new SyntaxError('bad quoted string');
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Throws SyntaxError on a header that does not follow the grammar. */
export function parseExtensionHeader(header: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  for (const rawExtension of splitOutsideQuotes(header, ',')) {
    if (rawExtension.trim() === '') continue; // "1#" lists allow empty elements
    const [rawName, ...rawParams] = splitOutsideQuotes(rawExtension, ';');
    const name = rawName!.trim();
    if (!TOKEN.test(name)) throw new SyntaxError(`bad extension name "${name}"`);
    const params: Array<[string, string | true]> = [];
    for (const rawParam of rawParams) {
      const eq = rawParam.indexOf('=');
      const key = (eq < 0 ? rawParam : rawParam.slice(0, eq)).trim();
      if (!TOKEN.test(key)) throw new SyntaxError(`bad extension parameter "${key}"`);
      if (eq < 0) {
        params.push([key, true]);
        continue;
      }
      const value = unquote(rawParam.slice(eq + 1).trim());
      // A quoted value must still be a token (RFC 6455 section 9.1).
      if (!TOKEN.test(value)) throw new SyntaxError(`bad value for "${key}"`);
      params.push([key, value]);
    }
    offers.push({ name, params });
  }
  return offers;
}
