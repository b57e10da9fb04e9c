import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { LINK_STATES, type LinkStatus } from '../contract/device-status.ts';
import type { BoothPosition, GatePosition } from '../domain/topology.ts';

/**
 * Every string the two apps show, in Chinese (the default: experts and gate staff read Chinese) and
 * English. The Chinese table is the source of truth for the keys; the English table is typed from it,
 * so a key missing on either side, or an extra one, fails type checking. Every ErrorCode needs an
 * `error.<CODE>` entry (checked with `satisfies` below).
 *
 * Placeholders are written `{name}` and filled by `formatMessage`. Their names are part of the type:
 * `t('link.lastContact', { ago: '…' })` must pass `ago`.
 *
 * Pure TypeScript, no React: the Node side may use it for logs or printed labels.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

type ErrorMessageKey = `error.${ErrorCode}`;

const zhCN = {
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

  // ── enrolment (technician) ──────────────────────────────────────────────
  'enrol.title': '设备注册',
  'enrol.subtitle': '请技术人员填写中心服务器地址和一次性注册码',
  'enrol.kind.booth': '设备类型：评标卡位终端',
  'enrol.kind.gate': '设备类型：门禁人脸核验终端',
  'enrol.centralUrl.label': '中心服务器地址',
  'enrol.centralUrl.placeholder': '例如 10.0.0.5:8600',
  'enrol.code.label': '注册码',
  'enrol.code.placeholder': 'XXXX-XXXX',
  'enrol.code.help': '8 位，由中心管理员生成；大小写和短横线均可',
  'enrol.submit': '注册本设备',
  'enrol.submitting': '正在注册…',
  'enrol.errorCode': '错误代码：{code}',
  'enrol.validation.centralUrl.empty': '请输入中心服务器地址',
  'enrol.validation.centralUrl.invalid': '地址格式不正确，应类似 10.0.0.5:8600 或 http://10.0.0.5:8600',
  'enrol.validation.code.empty': '请输入注册码',
  'enrol.validation.code.length': '注册码应为 8 位（当前 {count} 位）',
  'enrol.validation.code.chars': '注册码只含数字 2–9 和字母（不含 I、L、O）',

  // ── link to the central ─────────────────────────────────────────────────
  'link.online': '在线',
  'link.offline': '离线',
  'link.refused': '已被中心拒绝',
  'link.unknown': '连接中…',
  'link.lastContact': '最后联系：{ago}',
  'link.neverContacted': '尚未联系上中心',
  'elapsed.now': '刚刚',
  'elapsed.seconds': '{n} 秒前',
  'elapsed.minutes': '{n} 分钟前',
  'elapsed.hours': '{n} 小时前',
  'elapsed.days': '{n} 天前',

  // ── idle screens ────────────────────────────────────────────────────────
  'booth.idle.waiting': '请等待人脸识别登录',
  'gate.idle.waiting': '人脸核验功能尚未开启',
  'position.booth': '{room}号评标室 · {booth} 卡位',
  'position.gate.areaEntrance': '{site} · 评标区入口',
  'position.gate.roomDoor': '{room}号评标室 门禁',

  // ── face check: frame quality (shared/src/face/quality.ts) ──────────────
  'face.quality.no_face': '未检测到人脸，请正对摄像头',
  'face.quality.several_faces': '画面中有多张人脸，请一人单独核验',
  'face.quality.too_small': '距离太远，请靠近摄像头',
  'face.quality.too_large': '距离太近，请稍向后退',
  'face.quality.off_centre': '请将面部移到画面中央',
  'face.quality.pose': '请正视摄像头，不要侧脸、仰头或低头',
  'face.quality.too_dark': '光线太暗，请到光线充足处',
  'face.quality.too_bright': '光线太强，请避开强光直射',
  'face.quality.low_contrast': '画面发灰看不清，请擦拭镜头或避开逆光',
  'face.quality.blurry': '画面模糊，请保持不动',

  // ── face check: active liveness (shared/src/face/liveness.ts) ──────────
  'face.liveness.baseline': '请正视摄像头，保持不动',
  'face.liveness.challenge.blink': '请眨眨眼',
  'face.liveness.challenge.turn_left': '请向左转头，再转回来',
  'face.liveness.challenge.turn_right': '请向右转头，再转回来',
  'face.liveness.challenge.nod': '请点点头',
  'face.liveness.step': '第 {n} 步，共 {total} 步',
  'face.liveness.passed': '活体检测通过',
  'face.liveness.failed.timeout': '动作超时，请重新开始',
  'face.liveness.failed.several_faces': '画面中出现多张人脸，请一人单独核验',
  'face.liveness.failed.face_lost': '人脸离开画面，请重新开始',
  'face.liveness.failed.no_motion': '未检测到真人动作，请勿使用照片或屏幕',
  'face.liveness.failed.wrong_action': '动作不符合提示，请按提示重新操作',
  'face.liveness.failed.face_swapped': '检测中人脸发生变化，请重新开始',

  // ── booth presence during an evaluation (shared/src/face/presence-watch.ts)
  'face.presence.second_face': '卡位内出现第二张人脸',
  'face.presence.absent': '评标专家离开座位',
  'face.presence.returned': '评标专家已回到座位',
  'face.presence.different_person': '座位上的人与登录专家不一致',

  // ── gate kiosk: the expert-facing check-in screen ───────────────────────
  'gate.kiosk.idle': '请正对摄像头，进行人脸核验',
  'gate.kiosk.matching': '正在核验，请保持不动…',
  'gate.kiosk.cardHint': '请重新刷身份证，再正对摄像头',
  'gate.kiosk.cardRead': '已读取身份证，请正对摄像头',
  'gate.kiosk.checkError': '人脸核验暂不可用：{error}',
  'gate.camera.starting': '正在打开摄像头…',
  'gate.camera.denied': '摄像头权限被拒绝，无法进行人脸核验，请联系工作人员',
  'gate.camera.absent': '未找到摄像头，请联系工作人员',
  'gate.camera.busy': '摄像头被占用或无法打开，请联系工作人员',
  'gate.camera.unsupported': '此页面无法使用摄像头，请联系技术人员',
  'gate.camera.lost': '摄像头已断开，请联系工作人员',
  'gate.camera.retry': '重新打开摄像头',
  'gate.pass.title': '核验通过',
  'gate.pass.room': '请到{room}号评标室',
  'gate.pass.booth': '{label}号卡位',
  'gate.refused.title': '未能通过',
  'gate.refusal.unknown_face': '未识别到您的信息，请联系工作人员',
  'gate.refusal.not_scheduled_today': '今日无您的评标安排，请联系工作人员',
  'gate.refusal.wrong_site': '您今日不在本场地评标，请前往{siteName}',
  'gate.refusal.wrong_site.noRedirect': '您今日不在本场地评标，请联系工作人员',
  'gate.refusal.wrong_room': '这里不是您的评标室，请到{roomName} {label}号卡位',
  'gate.refusal.wrong_room.noRedirect': '这里不是您的评标室，请联系工作人员',
  'gate.refusal.already_inside': '您已入场，无需重复核验',
  'gate.refusal.several_faces': '请一人一过',
  'gate.refusal.liveness_failed': '活体检测未通过，请重试或联系工作人员',
  'gate.refusal.id_card_mismatch': '人证不一致，请联系工作人员',
  'gate.refusal.device_fault': '设备故障，请联系工作人员',
  'gate.refusal.no_roster': '今日名单未下发，请联系工作人员',

  // ── gate staff: login and monitor ───────────────────────────────────────
  'pinpad.clear': '清除',
  'pinpad.backspace': '退格',
  'pinpad.ok': '确定',
  'pinpad.entered': '已输入 {count} 位',
  'gate.staff.button': '工作人员',
  'gate.staff.login.title': '工作人员登录',
  'gate.staff.login.prompt': '请输入工作人员密码（4–8 位数字）',
  'gate.staff.login.checking': '正在验证…',
  'gate.staff.cancel': '取消',
  'gate.staff.logout': '退出',
  'gate.staff.loggedOut.idle': '长时间未操作，已自动退出',
  'gate.monitor.title': '门禁监控',
  'gate.monitor.kioskRunning': '人脸核验在后台继续运行',
  'gate.monitor.rosterDate': '名单日期：{date}',
  'gate.monitor.noRoster': '今日名单未下发',
  'gate.monitor.refreshError': '监控数据刷新失败：{error}',
  'gate.monitor.loading': '正在读取监控数据…',
  'gate.monitor.entries': '实时通行记录',
  'gate.monitor.entries.empty': '暂无通行记录',
  'gate.monitor.decision.pass': '通过',
  'gate.monitor.decision.refused': '拒绝',
  'gate.monitor.decision.manual_open': '手动开闸',
  'gate.monitor.unknownPerson': '未识别人员',
  'gate.monitor.codename': '代号 {codename}',
  'gate.monitor.seat': '{roomName} {label}号卡位',
  'gate.monitor.similarity': '相似度 {percent}%',
  'gate.monitor.note': '原因：{note}',
  'gate.monitor.capture': '现场抓拍',
  'gate.monitor.enrolled': '登记照片',
  'gate.monitor.noPhoto': '无照片',
  'gate.monitor.alerts': '告警',
  'gate.monitor.alerts.empty': '暂无告警',
  'gate.monitor.alert.device': '{device}：设备故障',
  'gate.monitor.ack': '确认',
  'gate.monitor.acked': '已确认',
  'gate.monitor.devices': '设备状态',
  'gate.monitor.device.since': '{ago}起',
  'gate.monitor.device.noError': '无错误信息',
  'gate.monitor.rooms': '今日各评标室到场',
  'gate.monitor.rooms.empty': '今日无评标室安排',
  'gate.monitor.room.expected': '应到 {n}',
  'gate.monitor.room.arrived': '已到 {n}',
  'gate.monitor.room.missing': '未到 {n}',
  'gate.reason.unknown_face': '未识别人员',
  'gate.reason.not_scheduled_today': '今日无安排',
  'gate.reason.wrong_site': '非本场地',
  'gate.reason.wrong_room': '非本评标室',
  'gate.reason.already_inside': '重复入场',
  'gate.reason.several_faces': '多人同时通过',
  'gate.reason.liveness_failed': '活体检测未通过',
  'gate.reason.id_card_mismatch': '人证不一致',
  'gate.reason.device_fault': '设备故障',
  'gate.reason.no_roster': '名单未下发',
  'gate.reason.device_down': '设备离线',
  'gate.device.kind.camera': '摄像头',
  'gate.device.kind.relay': '闸机 / 门锁',
  'gate.device.kind.led': 'LED 显示屏',
  'gate.device.kind.voice': '语音播报',
  'gate.device.kind.idcard': '身份证读卡器',
  'gate.device.kind.central': '中心连接',
  'gate.device.state.connecting': '连接中',
  'gate.device.state.up': '正常',
  'gate.device.state.degraded': '无响应',
  'gate.device.state.down': '故障',
  'gate.device.state.closed': '已停用',
  'gate.device.state.absent': '未配置',
  'gate.manual.button': '手动开闸',
  'gate.manual.title': '手动开闸',
  'gate.manual.prompt': '请选择开闸原因（必选），开闸将记录在案',
  'gate.manual.reason.deviceFault': '设备故障人工核验',
  'gate.manual.reason.escort': '工作人员陪同',
  'gate.manual.reason.evacuation': '应急疏散',
  'gate.manual.reason.other': '其他原因',
  'gate.manual.note.label': '补充说明（可选）',
  'gate.manual.note.required': '选择“其他原因”时请填写说明（至少 4 个字）',
  'gate.manual.next': '下一步',
  'gate.manual.confirm.title': '确认手动开闸？',
  'gate.manual.confirm.reason': '原因：{reason}',
  'gate.manual.confirm.ok': '确认开闸',
  'gate.manual.back': '返回修改',
  'gate.manual.opening': '正在开闸…',
  'gate.manual.done': '已开闸，记录编号 {seq}',
  'gate.manual.failed': '开闸失败：{error}',
  'gate.manual.close': '关闭',

  // ── device refused by the central ───────────────────────────────────────
  'refused.title': '本设备已被中心拒绝',
  'refused.body': '本设备暂时不能使用。请联系现场技术人员处理。',
  'refused.reason': '原因：{reason}',

  // ── error codes (shared/src/errors.ts) ──────────────────────────────────
  'error.BAD_INPUT': '填写的内容格式不正确，请检查后重试',
  'error.UNKNOWN_CALL': '程序版本不匹配，请联系技术人员',
  'error.UNAUTHORIZED': '没有权限执行此操作',
  'error.NOT_FOUND': '未找到相应的记录',
  'error.INTERNAL': '程序内部错误，请稍后重试；如仍失败请联系技术人员',
  'error.ENROL_CODE_INVALID': '注册码不正确，请核对后重新输入',
  'error.ENROL_CODE_USED': '该注册码已被使用，请向中心管理员申请新的注册码',
  'error.ENROL_CODE_EXPIRED': '该注册码已过期，请向中心管理员申请新的注册码',
  'error.ENROL_CODE_WRONG_KIND': '该注册码不是为这类设备生成的（卡位终端与门禁终端的注册码不能混用）',
  'error.ENROL_PROOF_INVALID': '设备密钥校验失败，请重新注册；如仍失败请联系技术人员',
  'error.POSITION_TAKEN': '该位置已有其他设备，请中心管理员先停用原设备',
  'error.ALREADY_ENROLLED': '本设备已经注册过',
  'error.NOT_ENROLLED': '本设备尚未注册',
  'error.CENTRAL_URL_INVALID': '中心服务器地址格式不正确',
  'error.CENTRAL_UNREACHABLE': '无法连接中心服务器，请检查地址和网络',
  'error.CENTRAL_BAD_RESPONSE': '中心服务器返回了无法识别的内容，请确认地址是否正确',
  'error.DEVICE_UNKNOWN': '中心不认识本设备，请重新注册',
  'error.DEVICE_REVOKED': '本设备已被中心停用',
  'error.SIGNATURE_INVALID': '设备签名校验失败',
  'error.REQUEST_STALE': '本机时间与中心相差过大，请校准时间',
  'error.REQUEST_REPLAYED': '请求重复，已被中心拒绝',
  'error.SYNC_GAP': '数据缺少前序记录，将从中心要求的位置重新上传',
  'error.SYNC_EVENT_FORGED': '记录的签名或内容校验失败，中心已拒收并告警',
  'error.SYNC_CHAIN_BROKEN': '记录链断裂（可能被删改），中心已拒收并告警',
  'error.SYNC_SEQ_CONFLICT': '同一序号出现两份不同记录，中心已拒收并告警',
  'error.STAFF_PIN_WRONG': '工作人员密码错误',
  'error.STAFF_LOCKED_OUT': '密码错误次数过多，请稍后再试',
  'error.STAFF_SESSION_EXPIRED': '登录已过期，请重新输入密码',
  'error.IMAGE_UNREADABLE': '摄像头画面无法读取，请联系工作人员',
  'error.FACE_ENGINE_UNAVAILABLE': '人脸识别模块未就绪，请联系工作人员',
  'error.WRONG_PHASE': '当前步骤不能进行此操作',
  'error.COMMITMENT_REQUIRED': '请先签署评标承诺书',
  'error.PIN_INCORRECT': 'USB Key 密码错误',
  'error.PIN_LOCKED': 'USB Key 已锁定，请联系工作人员',
  'error.TOKEN_ABSENT': '请插入 USB Key',
  'error.CERT_REJECTED': 'USB Key 证书不受信任或已过期，请联系工作人员',
  'error.SIGNING_FAILED': '签名失败，请重试或联系工作人员',
  'error.SHEET_INCOMPLETE': '评分表尚未填写完整',
  'error.SHEET_FROZEN': '评分表已提交，不能再修改',
  'error.SCORE_INVALID': '分值超出范围或缺少说明',
  'error.FILE_UNAVAILABLE': '文件暂不可用，请稍后重试',
} as const satisfies Record<ErrorMessageKey, string> & Record<string, string>;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
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

  'enrol.title': 'Device enrolment',
  'enrol.subtitle': 'Technician: enter the central server address and the one-time enrolment code',
  'enrol.kind.booth': 'Device type: evaluation booth terminal',
  'enrol.kind.gate': 'Device type: gate face-check kiosk',
  'enrol.centralUrl.label': 'Central server address',
  'enrol.centralUrl.placeholder': 'e.g. 10.0.0.5:8600',
  'enrol.code.label': 'Enrolment code',
  'enrol.code.placeholder': 'XXXX-XXXX',
  'enrol.code.help': '8 characters from the central administrator; any case, dashes optional',
  'enrol.submit': 'Enrol this device',
  'enrol.submitting': 'Enrolling…',
  'enrol.errorCode': 'Error code: {code}',
  'enrol.validation.centralUrl.empty': 'Enter the central server address',
  'enrol.validation.centralUrl.invalid': 'Not a valid address; it looks like 10.0.0.5:8600 or http://10.0.0.5:8600',
  'enrol.validation.code.empty': 'Enter the enrolment code',
  'enrol.validation.code.length': 'The code has 8 characters (you entered {count})',
  'enrol.validation.code.chars': 'The code uses only digits 2–9 and letters (no I, L or O)',

  'link.online': 'Online',
  'link.offline': 'Offline',
  'link.refused': 'Refused by the central',
  'link.unknown': 'Connecting…',
  'link.lastContact': 'Last contact: {ago}',
  'link.neverContacted': 'Not yet reached the central',
  'elapsed.now': 'just now',
  'elapsed.seconds': '{n} s ago',
  'elapsed.minutes': '{n} min ago',
  'elapsed.hours': '{n} h ago',
  'elapsed.days': '{n} d ago',

  'booth.idle.waiting': 'Waiting for face login',
  'gate.idle.waiting': 'Face check is not enabled yet',
  'position.booth': 'Room {room} · Booth {booth}',
  'position.gate.areaEntrance': '{site} · Evaluation area entrance',
  'position.gate.roomDoor': 'Room {room} door',

  'face.quality.no_face': 'No face found; face the camera',
  'face.quality.several_faces': 'More than one face in view; one person at a time',
  'face.quality.too_small': 'Too far away; come closer to the camera',
  'face.quality.too_large': 'Too close; move back a little',
  'face.quality.off_centre': 'Move your face to the middle of the picture',
  'face.quality.pose': 'Look straight at the camera (do not turn, tilt up or look down)',
  'face.quality.too_dark': 'Too dark; move to better light',
  'face.quality.too_bright': 'Too bright; keep out of direct light',
  'face.quality.low_contrast': 'The picture is washed out; wipe the lens or avoid back light',
  'face.quality.blurry': 'The picture is blurred; hold still',

  'face.liveness.baseline': 'Look at the camera and hold still',
  'face.liveness.challenge.blink': 'Blink',
  'face.liveness.challenge.turn_left': 'Turn your head to your left, then back',
  'face.liveness.challenge.turn_right': 'Turn your head to your right, then back',
  'face.liveness.challenge.nod': 'Nod',
  'face.liveness.step': 'Step {n} of {total}',
  'face.liveness.passed': 'Liveness check passed',
  'face.liveness.failed.timeout': 'Too slow; start again',
  'face.liveness.failed.several_faces': 'More than one face appeared; one person at a time',
  'face.liveness.failed.face_lost': 'The face left the picture; start again',
  'face.liveness.failed.no_motion': 'No live movement seen; do not use a photo or a screen',
  'face.liveness.failed.wrong_action': 'That was not the requested movement; start again and follow the prompt',
  'face.liveness.failed.face_swapped': 'The face changed during the check; start again',

  'face.presence.second_face': 'A second face in the booth',
  'face.presence.absent': 'The expert has left the seat',
  'face.presence.returned': 'The expert is back in the seat',
  'face.presence.different_person': 'The person in the seat is not the expert who logged in',

  'gate.kiosk.idle': 'Look at the camera for the face check',
  'gate.kiosk.matching': 'Checking; hold still…',
  'gate.kiosk.cardHint': 'Place your ID card on the reader again, then look at the camera',
  'gate.kiosk.cardRead': 'ID card read; look at the camera',
  'gate.kiosk.checkError': 'Face check unavailable: {error}',
  'gate.camera.starting': 'Opening the camera…',
  'gate.camera.denied': 'Camera permission denied; the face check cannot run. Please call staff',
  'gate.camera.absent': 'No camera found; please call staff',
  'gate.camera.busy': 'The camera is in use or cannot be opened; please call staff',
  'gate.camera.unsupported': 'This page cannot use a camera; call the technician',
  'gate.camera.lost': 'The camera was disconnected; please call staff',
  'gate.camera.retry': 'Open the camera again',
  'gate.pass.title': 'Check passed',
  'gate.pass.room': 'Go to Room {room}',
  'gate.pass.booth': 'Booth {label}',
  'gate.refused.title': 'Entry refused',
  'gate.refusal.unknown_face': 'We could not identify you; please call staff',
  'gate.refusal.not_scheduled_today': 'You have no evaluation scheduled today; please call staff',
  'gate.refusal.wrong_site': 'Your evaluation today is not at this site; please go to {siteName}',
  'gate.refusal.wrong_site.noRedirect': 'Your evaluation today is not at this site; please call staff',
  'gate.refusal.wrong_room': 'This is not your room; go to {roomName}, booth {label}',
  'gate.refusal.wrong_room.noRedirect': 'This is not your room; please call staff',
  'gate.refusal.already_inside': 'You have already entered',
  'gate.refusal.several_faces': 'One person at a time, please',
  'gate.refusal.liveness_failed': 'Liveness check failed; try again or call staff',
  'gate.refusal.id_card_mismatch': 'The face does not match the ID card; please call staff',
  'gate.refusal.device_fault': 'Device fault; please call staff',
  'gate.refusal.no_roster': "Today's roster has not arrived; please call staff",

  'pinpad.clear': 'Clear',
  'pinpad.backspace': 'Delete',
  'pinpad.ok': 'OK',
  'pinpad.entered': '{count} digits entered',
  'gate.staff.button': 'Staff',
  'gate.staff.login.title': 'Staff login',
  'gate.staff.login.prompt': 'Enter the staff PIN (4–8 digits)',
  'gate.staff.login.checking': 'Checking…',
  'gate.staff.cancel': 'Cancel',
  'gate.staff.logout': 'Log out',
  'gate.staff.loggedOut.idle': 'Logged out after a period of inactivity',
  'gate.monitor.title': 'Gate monitor',
  'gate.monitor.kioskRunning': 'Face checks keep running in the background',
  'gate.monitor.rosterDate': 'Roster date: {date}',
  'gate.monitor.noRoster': "Today's roster has not arrived",
  'gate.monitor.refreshError': 'Monitor refresh failed: {error}',
  'gate.monitor.loading': 'Loading the monitor…',
  'gate.monitor.entries': 'Live entries',
  'gate.monitor.entries.empty': 'No entries yet',
  'gate.monitor.decision.pass': 'Passed',
  'gate.monitor.decision.refused': 'Refused',
  'gate.monitor.decision.manual_open': 'Manual open',
  'gate.monitor.unknownPerson': 'Unknown person',
  'gate.monitor.codename': 'Code {codename}',
  'gate.monitor.seat': '{roomName}, booth {label}',
  'gate.monitor.similarity': 'Similarity {percent}%',
  'gate.monitor.note': 'Reason: {note}',
  'gate.monitor.capture': 'Live capture',
  'gate.monitor.enrolled': 'Enrolled photo',
  'gate.monitor.noPhoto': 'No photo',
  'gate.monitor.alerts': 'Alerts',
  'gate.monitor.alerts.empty': 'No alerts',
  'gate.monitor.alert.device': '{device}: device fault',
  'gate.monitor.ack': 'Acknowledge',
  'gate.monitor.acked': 'Acknowledged',
  'gate.monitor.devices': 'Devices',
  'gate.monitor.device.since': 'since {ago}',
  'gate.monitor.device.noError': 'No error reported',
  'gate.monitor.rooms': "Today's attendance by room",
  'gate.monitor.rooms.empty': 'No rooms scheduled today',
  'gate.monitor.room.expected': 'Expected {n}',
  'gate.monitor.room.arrived': 'Arrived {n}',
  'gate.monitor.room.missing': 'Missing {n}',
  'gate.reason.unknown_face': 'Unknown face',
  'gate.reason.not_scheduled_today': 'Not scheduled today',
  'gate.reason.wrong_site': 'Wrong site',
  'gate.reason.wrong_room': 'Wrong room',
  'gate.reason.already_inside': 'Already inside',
  'gate.reason.several_faces': 'Several faces',
  'gate.reason.liveness_failed': 'Liveness failed',
  'gate.reason.id_card_mismatch': 'ID card mismatch',
  'gate.reason.device_fault': 'Device fault',
  'gate.reason.no_roster': 'No roster',
  'gate.reason.device_down': 'Device down',
  'gate.device.kind.camera': 'Camera',
  'gate.device.kind.relay': 'Turnstile / door',
  'gate.device.kind.led': 'LED display',
  'gate.device.kind.voice': 'Voice',
  'gate.device.kind.idcard': 'ID card reader',
  'gate.device.kind.central': 'Central link',
  'gate.device.state.connecting': 'Connecting',
  'gate.device.state.up': 'OK',
  'gate.device.state.degraded': 'Not answering',
  'gate.device.state.down': 'Down',
  'gate.device.state.closed': 'Stopped',
  'gate.device.state.absent': 'Not configured',
  'gate.manual.button': 'Manual open',
  'gate.manual.title': 'Manual open',
  'gate.manual.prompt': 'Choose a reason (required); the opening is logged',
  'gate.manual.reason.deviceFault': 'Device fault, checked by staff',
  'gate.manual.reason.escort': 'Escorted by staff',
  'gate.manual.reason.evacuation': 'Emergency evacuation',
  'gate.manual.reason.other': 'Other reason',
  'gate.manual.note.label': 'Additional note (optional)',
  'gate.manual.note.required': 'For "Other reason" write a note (at least 4 characters)',
  'gate.manual.next': 'Next',
  'gate.manual.confirm.title': 'Open the gate manually?',
  'gate.manual.confirm.reason': 'Reason: {reason}',
  'gate.manual.confirm.ok': 'Open',
  'gate.manual.back': 'Back',
  'gate.manual.opening': 'Opening…',
  'gate.manual.done': 'Opened; record number {seq}',
  'gate.manual.failed': 'Opening failed: {error}',
  'gate.manual.close': 'Close',

  'refused.title': 'This device was refused by the central',
  'refused.body': 'This device cannot be used for now. Please call the on-site technician.',
  'refused.reason': 'Reason: {reason}',

  'error.BAD_INPUT': 'Some input is not in the right format; check it and try again',
  'error.UNKNOWN_CALL': 'Program versions do not match; call the technician',
  'error.UNAUTHORIZED': 'Not allowed',
  'error.NOT_FOUND': 'Not found',
  'error.INTERNAL': 'Internal error; try again later, and call the technician if it persists',
  'error.ENROL_CODE_INVALID': 'The enrolment code is not correct; check it and enter it again',
  'error.ENROL_CODE_USED': 'This enrolment code has already been used; ask the central administrator for a new one',
  'error.ENROL_CODE_EXPIRED': 'This enrolment code has expired; ask the central administrator for a new one',
  'error.ENROL_CODE_WRONG_KIND': 'This enrolment code is for another kind of device (booth and gate codes differ)',
  'error.ENROL_PROOF_INVALID': 'The device key check failed; enrol again, and call the technician if it persists',
  'error.POSITION_TAKEN': 'Another device holds this position; the central administrator must revoke it first',
  'error.ALREADY_ENROLLED': 'This device is already enrolled',
  'error.NOT_ENROLLED': 'This device is not enrolled',
  'error.CENTRAL_URL_INVALID': 'The central server address is not valid',
  'error.CENTRAL_UNREACHABLE': 'Cannot reach the central server; check the address and the network',
  'error.CENTRAL_BAD_RESPONSE': 'The central server sent an unexpected answer; check the address',
  'error.DEVICE_UNKNOWN': 'The central does not know this device; enrol it again',
  'error.DEVICE_REVOKED': 'This device has been revoked by the central',
  'error.SIGNATURE_INVALID': 'The device signature was rejected',
  'error.REQUEST_STALE': 'The clock differs too much from the central; set the time',
  'error.REQUEST_REPLAYED': 'Duplicate request, rejected by the central',
  'error.SYNC_GAP': 'Records are missing before this batch; resending from where the central asks',
  'error.SYNC_EVENT_FORGED': "A record's signature or content check failed; the central refused it and raised an alert",
  'error.SYNC_CHAIN_BROKEN': 'The record chain is broken (possibly tampered with); the central refused it and raised an alert',
  'error.SYNC_SEQ_CONFLICT': 'Two different records carry the same number; the central refused them and raised an alert',
  'error.STAFF_PIN_WRONG': 'Wrong staff PIN',
  'error.STAFF_LOCKED_OUT': 'Too many wrong PINs; try again later',
  'error.STAFF_SESSION_EXPIRED': 'Session expired; enter the PIN again',
  'error.IMAGE_UNREADABLE': 'The camera frame could not be read; call staff',
  'error.FACE_ENGINE_UNAVAILABLE': 'Face recognition is not ready; call staff',
  'error.WRONG_PHASE': 'Not possible at this step',
  'error.COMMITMENT_REQUIRED': 'Sign the commitment letter first',
  'error.PIN_INCORRECT': 'Wrong USB key PIN',
  'error.PIN_LOCKED': 'The USB key is locked; call staff',
  'error.TOKEN_ABSENT': 'Insert the USB key',
  'error.CERT_REJECTED': 'The USB key certificate is not trusted or has expired; call staff',
  'error.SIGNING_FAILED': 'Signing failed; try again or call staff',
  'error.SHEET_INCOMPLETE': 'The score sheet is not complete',
  'error.SHEET_FROZEN': 'The score sheet is submitted and can no longer change',
  'error.SCORE_INVALID': 'The score is out of range or needs a note',
  'error.FILE_UNAVAILABLE': 'The file is not available yet; try again shortly',
};

export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { 'zh-CN': zhCN, en };

/**
 * A grouped view of the same tables, for tests and tooling that look a text up by its code:
 * `messages['zh-CN'].errors.ENROL_CODE_USED`, `messages.en.link.offline`.
 */
export interface MessageGroups {
  readonly errors: Readonly<Record<ErrorCode, string>>;
  readonly link: Readonly<Record<LinkStatus['state'], string>>;
}

function groupsOf(table: Readonly<Record<MessageKey, string>>): MessageGroups {
  return {
    errors: Object.fromEntries(ERROR_CODES.map((code) => [code, table[`error.${code}`]])) as Record<ErrorCode, string>,
    link: Object.fromEntries(LINK_STATES.map((state) => [state, table[`link.${state}`]])) as Record<LinkStatus['state'], string>,
  };
}

export const messages: Readonly<Record<Lang, MessageGroups>> = { 'zh-CN': groupsOf(zhCN), en: groupsOf(en) };

// ── placeholders ─────────────────────────────────────────────────────────────

/** "{a} and {b}" → "a" | "b", read from the Chinese literal types. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholderNames<Rest>
  : never;

export type MessageParams<K extends MessageKey> = Record<PlaceholderNames<(typeof zhCN)[K]>, string | number>;

/** Keys whose messages take no placeholder: `t(key)` needs no second argument for these. */
type KeysWithoutParams = { [K in MessageKey]: PlaceholderNames<(typeof zhCN)[K]> extends never ? K : never }[MessageKey];

export type TranslateArgs<K extends MessageKey> = K extends KeysWithoutParams ? [] : [params: MessageParams<K>];

/** The placeholder names a template uses, in order of appearance; for tests and tooling. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
}

/**
 * Fills `{name}` placeholders. A placeholder without a value stays as written, so a forgotten
 * parameter shows up on screen instead of silently vanishing.
 */
export function formatMessage(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function translate<K extends MessageKey>(lang: Lang, key: K, ...args: TranslateArgs<K>): string {
  const template = MESSAGES[lang][key] ?? MESSAGES[DEFAULT_LANG][key];
  return formatMessage(template, args[0] as Record<string, string | number> | undefined);
}

export type Translate = <K extends MessageKey>(key: K, ...args: TranslateArgs<K>) => string;

export function translatorFor(lang: Lang): Translate {
  return (key, ...args) => translate(lang, key, ...args);
}

// ── domain formatting ────────────────────────────────────────────────────────

export function errorMessage(code: ErrorCode, lang: Lang): string {
  return MESSAGES[lang][`error.${code}`];
}

export function linkStateLabel(state: LinkStatus['state'], lang: Lang): string {
  return MESSAGES[lang][`link.${state}`];
}

/** "3号评标室 · A5 卡位" / "Room 3 · Booth A5": what an expert looks for on the booth's screen. */
export function formatBoothPosition(position: BoothPosition, lang: Lang): string {
  return translate(lang, 'position.booth', { room: position.room.number, booth: position.booth.label });
}

/**
 * "市公共资源交易中心 · 评标区入口" for the area entrance, "3号评标室 门禁" for a room door. A room door
 * whose room the central did not send falls back to the gate's own name rather than inventing one.
 */
export function formatGatePosition(position: GatePosition, lang: Lang): string {
  if (position.gate.role === 'area_entrance') {
    return translate(lang, 'position.gate.areaEntrance', { site: position.site.name });
  }
  if (position.room) return translate(lang, 'position.gate.roomDoor', { room: position.room.number });
  return position.gate.name;
}

/** "12 秒前" / "12 s ago"; negative spans (clock skew) count as "just now". */
export function formatElapsed(ms: number, lang: Lang): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 5) return translate(lang, 'elapsed.now');
  if (seconds < 60) return translate(lang, 'elapsed.seconds', { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return translate(lang, 'elapsed.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return translate(lang, 'elapsed.hours', { n: hours });
  return translate(lang, 'elapsed.days', { n: Math.floor(hours / 24) });
}
