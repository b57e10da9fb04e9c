// Decoding of the 256-byte text block of a second-generation ID card (UCS-2 little-endian,
// fields padded with spaces): name 30 | sex 2 | nation 4 | birth 16 | address 70 | ID number 36 |
// issuer 30 | validity start 16 | validity end 16 | reserved 36.

export const TEXT_FIELDS = [
  ['name', 30],
  ['sex', 2],
  ['nation', 4],
  ['birth', 16],
  ['address', 70],
  ['idNumber', 36],
  ['issuer', 30],
  ['validFrom', 16],
  ['validTo', 16],
  ['reserved', 36],
] as const;
export type TextFieldName = (typeof TEXT_FIELDS)[number][0];

/** Sex codes (GB/T 2261.1). */
export const SEX_NAMES: Readonly<Record<string, string>> = { '0': '未知', '1': '男', '2': '女', '9': '未说明' };

/** Nation codes (GB/T 3304): 01–56, 97 other, 98 naturalised of foreign origin. */
export const NATION_NAMES: Readonly<Record<string, string>> = {
  '01': '汉', '02': '蒙古', '03': '回', '04': '藏', '05': '维吾尔', '06': '苗', '07': '彝', '08': '壮',
  '09': '布依', '10': '朝鲜', '11': '满', '12': '侗', '13': '瑶', '14': '白', '15': '土家', '16': '哈尼',
  '17': '哈萨克', '18': '傣', '19': '黎', '20': '傈僳', '21': '佤', '22': '畲', '23': '高山', '24': '拉祜',
  '25': '水', '26': '东乡', '27': '纳西', '28': '景颇', '29': '柯尔克孜', '30': '土', '31': '达斡尔',
  '32': '仫佬', '33': '羌', '34': '布朗', '35': '撒拉', '36': '毛南', '37': '仡佬', '38': '锡伯',
  '39': '阿昌', '40': '普米', '41': '塔吉克', '42': '怒', '43': '乌孜别克', '44': '俄罗斯', '45': '鄂温克',
  '46': '德昂', '47': '保安', '48': '裕固', '49': '京', '50': '塔塔尔', '51': '独龙', '52': '鄂伦春',
  '53': '赫哲', '54': '门巴', '55': '珞巴', '56': '基诺', '97': '其他', '98': '外国血统中国籍人士',
};

export interface CardText {
  name: string;
  sexCode: string;
  sex: string;
  nationCode: string;
  nation: string;
  /** YYYY-MM-DD, or the raw text when not eight digits. */
  birth: string;
  address: string;
  idNumber: string;
  idNumberValid: boolean;
  issuer: string;
  validFrom: string;
  /** YYYY-MM-DD, or 长期 (long-term) as printed on the card. */
  validTo: string;
}

export function decodeUcs2(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8));
  return s;
}

export function encodeUcs2(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size / 2; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = (c >> 8) & 0xff;
  }
  return out;
}

/** Strips the space/NUL padding (ASCII and ideographic spaces). */
export function trimField(s: string): string {
  const pad = (c: string | undefined): boolean => c === '\0' || c === '\u3000' || (c !== undefined && c.trim() === '');
  let a = 0;
  let b = s.length;
  while (a < b && pad(s[a])) a++;
  while (b > a && pad(s[b - 1])) b--;
  return s.slice(a, b);
}

export function formatDate(raw: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : raw;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits (GB 11643). */
export function idCheckChar(first17: string): string | null {
  if (!/^\d{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? null;
}

export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
}

export function splitTextFields(text: Uint8Array): Record<TextFieldName, string> {
  const out = {} as Record<TextFieldName, string>;
  let off = 0;
  for (const [name, size] of TEXT_FIELDS) {
    out[name] = trimField(decodeUcs2(text.subarray(off, off + size)));
    off += size;
  }
  return out;
}

export function decodeCardText(text: Uint8Array): CardText {
  const f = splitTextFields(text);
  const idNumber = f.idNumber.toUpperCase();
  return {
    name: f.name,
    sexCode: f.sex,
    sex: SEX_NAMES[f.sex] ?? `未知(${f.sex})`,
    nationCode: f.nation,
    nation: NATION_NAMES[f.nation] ?? `未知(${f.nation})`,
    birth: formatDate(f.birth),
    address: f.address,
    idNumber,
    idNumberValid: isValidIdNumber(idNumber),
    issuer: f.issuer,
    validFrom: formatDate(f.validFrom),
    validTo: formatDate(f.validTo),
  };
}

export interface CardTextInput {
  name: string;
  sexCode: string;
  nationCode: string;
  birth: string;
  address: string;
  idNumber: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

/** Builds the 256-byte block (for the simulator and tests). Dates as YYYYMMDD. */
export function encodeCardText(c: CardTextInput): Uint8Array {
  const values: Record<TextFieldName, string> = {
    name: c.name, sex: c.sexCode, nation: c.nationCode, birth: c.birth, address: c.address,
    idNumber: c.idNumber, issuer: c.issuer, validFrom: c.validFrom, validTo: c.validTo, reserved: '',
  };
  const out = new Uint8Array(256);
  let off = 0;
  for (const [name, size] of TEXT_FIELDS) {
    out.set(encodeUcs2(values[name], size), off);
    off += size;
  }
  return out;
}
