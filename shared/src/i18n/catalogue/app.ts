/**
 * The app frame: titles, language switch, footer, the link to the local host process, the refused
 * screen, the PIN pad and positions (prefixes app, lang, footer, host, refused, pinpad, position).
 * Chinese is the source of the keys; the English table is typed from it.
 */
export const zhCN = {
  // ── app frame ────────────────────────────────────────────────────────────
  'app.booth.title': '评标卡位终端',
  'app.gate.title': '评标区门禁终端',
  'app.loading': '正在读取设备状态…',
  'app.retry': '重试',
  'lang.toggle': 'English',
  'lang.toggle.aria': '切换到英文界面',
  'footer.version': '版本 {version}',
  'footer.device': '设备编号 {deviceId}',
  'footer.unenrolled': '本设备尚未注册',
  'footer.synced': '记录已全部上传',
  'footer.pending': '待上传 {count} 条记录',
  'footer.syncRefused': '记录上传被中心拒绝，请联系技术人员',

  // ── connection to the local host process (not the central) ─────────────
  'host.reconnecting': '正在重新连接本机服务…',
  'host.failed.title': '无法连接本机服务',
  'host.failed.noSecret': '启动参数缺失，请重新启动本机程序，或联系现场技术人员。',
  'host.failed.unauthorised': '本机服务拒绝了此页面，请重新启动本机程序，或联系现场技术人员。',
  'host.failed.wrongContract': '本机服务与此页面不匹配，请联系现场技术人员。',
  'position.booth': '{room}号评标室 · {booth} 卡位',
  'position.gate.areaEntrance': '{site} · 评标区入口',
  'position.gate.roomDoor': '{room}号评标室 门禁',

  // ── gate staff: login and monitor ───────────────────────────────────────
  'pinpad.clear': '清除',
  'pinpad.backspace': '退格',
  'pinpad.ok': '确定',
  'pinpad.entered': '已输入 {count} 位',

  // ── device refused by the central ───────────────────────────────────────
  'refused.title': '本设备已被中心拒绝',
  'refused.body': '本设备暂时不能使用。请联系现场技术人员处理。',
  'refused.reason': '原因：{reason}',
  // the Node host's command line (shared/src/host/app-host-cli.node.ts) and the Electron shell
  'host.cli.usage': '用法：--data <目录> [--port <端口>] [--open] [--link-interval <毫秒>] [--print-launch-url]',
  'host.cli.badArguments': '参数错误：{reason}',
  'host.cli.badPort': '端口无效：{port}',
  'host.cli.badLinkInterval': '链路检测间隔无效（毫秒，≥ 100）：{value}',
  'host.cli.notBuilt': '界面尚未构建：{dir}（请运行 npm run build）',
  'host.cli.configNeedsFile': '参数错误：--config 需要一个文件',
  'host.chromiumFailed': 'Chromium 未能打开应用页面',
  'app.cannotStart': '卡位无法启动',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'app.booth.title': 'Evaluation booth terminal',
  'app.gate.title': 'Evaluation area gate',
  'app.loading': 'Reading device status…',
  'app.retry': 'Retry',
  'lang.toggle': '中文',
  'lang.toggle.aria': 'Switch to Chinese',
  'footer.version': 'Version {version}',
  'footer.device': 'Device {deviceId}',
  'footer.unenrolled': 'This device is not enrolled',
  'footer.synced': 'All records uploaded',
  'footer.pending': '{count} records waiting to upload',
  'footer.syncRefused': 'Record upload refused by the central; call the technician',

  'host.reconnecting': 'Reconnecting to the local service…',
  'host.failed.title': 'Cannot reach the local service',
  'host.failed.noSecret': 'The launch parameter is missing. Restart the program or call the technician.',
  'host.failed.unauthorised': 'The local service refused this page. Restart the program or call the technician.',
  'host.failed.wrongContract': 'The local service does not match this page. Call the technician.',
  'position.booth': 'Room {room} · Booth {booth}',
  'position.gate.areaEntrance': '{site} · Evaluation area entrance',
  'position.gate.roomDoor': 'Room {room} door',

  'pinpad.clear': 'Clear',
  'pinpad.backspace': 'Delete',
  'pinpad.ok': 'OK',
  'pinpad.entered': '{count} digits entered',
  'refused.title': 'This device was refused by the central',
  'refused.body': 'This device cannot be used for now. Please call the on-site technician.',
  'refused.reason': 'Reason: {reason}',
  'host.cli.usage': 'usage: --data <dir> [--port <port>] [--open] [--link-interval <ms>] [--print-launch-url]',
  'host.cli.badArguments': 'bad arguments: {reason}',
  'host.cli.badPort': 'invalid port: {port}',
  'host.cli.badLinkInterval': 'invalid --link-interval (ms ≥ 100): {value}',
  'host.cli.notBuilt': 'renderer not built: {dir} (run: npm run build)',
  'host.cli.configNeedsFile': 'bad arguments: --config needs a file',
  'host.chromiumFailed': 'Chromium could not open the app page',
  'app.cannotStart': 'Kawei cannot start',
};
