/** The demo-data scripts (scripts/make-demo-*.node.ts): their usage, errors and README texts. */
export const zhCN = {
  'demo.usage': '用法',
  'demo.error': '错误',
  'demo.pages': '页',
  'demo.badArguments': '参数有误：{detail}',
  'demo.experts.usage': '用法：make-demo-experts.node.ts 输出目录 [--date YYYY-MM-DD]',
  'demo.experts.badDate': '日期无效：{date}',
  'demo.experts.noFace': 'sample{sample}.jpg 中 ({x}, {y}) 处没有人脸',
  'demo.experts.photoRefused': '{id} 的照片未通过质量检查：{reason}',
  'demo.experts.tooSimilar': '{id} 与 {other} 的人脸过于相似（{similarity}）',
  'demo.experts.readme': '演示用专家登记册：姓名与身份证号均为虚构；照片取自 @vladmandic/face-api 的演示图片（MIT）。',
  'demo.tenders.failed': '生成演示标书失败',
  'demo.project.failed': '生成演示项目材料失败',
  'demo.project.readme': '演示用评标材料：项目、投标人及投标文件内容均为虚构。',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'demo.usage': 'usage',
  'demo.error': 'error',
  'demo.pages': 'pages',
  'demo.badArguments': 'bad arguments: {detail}',
  'demo.experts.usage': 'usage: make-demo-experts.node.ts OUT_DIR [--date YYYY-MM-DD]',
  'demo.experts.badDate': 'not a date (YYYY-MM-DD): {date}',
  'demo.experts.noFace': 'no face at ({x}, {y}) in sample{sample}.jpg',
  'demo.experts.photoRefused': "the photo made for {id} fails the registry's quality gate: {reason}",
  'demo.experts.tooSimilar': '{id} and {other} look like one person to the model ({similarity})',
  'demo.experts.readme': 'Demo expert registry: names and ID numbers are fictional; photos are cut from @vladmandic/face-api demo images (MIT).',
  'demo.tenders.failed': 'making the demo tenders failed',
  'demo.project.failed': 'making the demo project material failed',
  'demo.project.readme': 'Demo evaluation material: the projects, bidders and tender contents are fictional.',
};
