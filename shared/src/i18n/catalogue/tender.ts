/**
 * Tender files (shared/src/tender/): opening and rendering a bidder's PDF on the booth, the blind
 * bidder list, and the CJK font the demo tenders are typeset in.
 */
export const zhCN = {
  'tender.badOptions': '打开标书的参数有误',
  'tender.unreadable': '无法读取标书文件',
  'tender.encrypted': '标书文件已加密，无法打开',
  'tender.damaged': '标书文件已损坏或不是 PDF',
  'tender.redactionPage': '图片遮盖框的页码超出范围：{page}（共 {pages} 页）',
  'tender.redactionCode': '图片遮盖框的投标人代号不在名单中：{code}',
  'tender.closed': '标书已关闭',
  'tender.pageRange': '页码超出范围：{page}（共 {pages} 页）',
  'tender.scaleRange': '缩放比例须在 {min}–{max} 之间',
  'tender.badWatermark': '水印参数有误',
  'tender.sharedName': '两个投标人有相同的名称或别名 “{form}”',
  'tender.font.missing': '找不到中文字体 {path}（apt-get install fonts-noto-cjk）',
  'tender.font.notInCollection': '字体集中没有 {name}（有 {names}）',
  'tender.font.notInCharset': '字体字符集中没有字形 {gid}',
  'tender.font.notCid': '需要 CID 字体（CFF 轮廓）的中文字体',
  'tender.font.cidChanged': '字体子集改变了“{char}”的 CID（{before} → {after}）',
  'tender.font.noCff': '字体子集没有 CFF 表',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'tender.badOptions': 'bad tender-file options',
  'tender.unreadable': 'cannot read the tender file',
  'tender.encrypted': 'the tender file is password-protected',
  'tender.damaged': 'the tender file is damaged or not a PDF',
  'tender.redactionPage': 'image redaction on page {page}, the file has {pages}',
  'tender.redactionCode': 'image redaction for bidder code {code}, not among the bidders',
  'tender.closed': 'the tender file is closed',
  'tender.pageRange': 'page {page} out of range 1-{pages}',
  'tender.scaleRange': 'scale must be within {min}-{max}',
  'tender.badWatermark': 'bad watermark options',
  'tender.sharedName': 'two bidders share the name or alias "{form}"',
  'tender.font.missing': 'CJK font not found: {path} (install fonts-noto-cjk)',
  'tender.font.notInCollection': 'no {name} in the collection (has {names})',
  'tender.font.notInCharset': "glyph {gid} is not in the font's charset",
  'tender.font.notCid': 'a CJK font with CID-keyed CFF outlines is required',
  'tender.font.cidChanged': 'the subset changed the CID of "{char}" ({before} → {after})',
  'tender.font.noCff': 'the font subset has no CFF table',
};
