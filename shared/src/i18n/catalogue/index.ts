import * as app from './app.ts';
import * as booth from './booth.ts';
import * as central from './central.ts';
import * as committee from './committee.ts';
import * as committeeRecord from './committeeRecord.ts';
import * as demo from './demo.ts';
import * as devices from './devices.ts';
import * as draw from './draw.ts';
import * as enrol from './enrol.ts';
import * as error from './error.ts';
import * as experts from './experts.ts';
import * as face from './face.ts';
import * as gate from './gate.ts';
import * as ledDriver from './led-driver.ts';
import * as link from './link.ts';
import * as projects from './projects.ts';
import * as results from './results.ts';
import * as pades from './pades.ts';
import * as reportPdf from './reportPdf.ts';
import * as reportRecord from './reportRecord.ts';
import * as reportCli from './reportCli.ts';
import * as reportBooth from './reportBooth.ts';
import * as report from './report.ts';
import * as review from './review.ts';
import * as scripts from './scripts.ts';
import * as signing from './signing.ts';
import * as store from './store.ts';
import * as tender from './tender.ts';

/**
 * The one message catalogue: every text Kawei shows or prints, in Chinese (zh-CN, the default) and
 * English, one file per namespace. A key is `namespace.key` (the UI namespaces hold a few first
 * segments each, see their headers). In each file the Chinese table is `as const` (its literal types
 * give the placeholder names) and the English one is typed from its keys, so a key missing or extra
 * on either side fails type checking; shared/test/i18n-messages.test.ts checks that both languages use
 * the same placeholders and that no key is defined in two namespaces.
 *
 * To add a namespace: write `<namespace>.ts` like the others and list it here, once in NAMESPACES.
 */
export const NAMESPACES = { app, link, enrol, face, gate, booth, error, signing, devices, results, projects, draw, ledDriver, tender, demo, central, experts, store, scripts, committee, committeeRecord, review, pades, reportPdf, reportRecord, reportCli, reportBooth, report } as const;

export const CATALOGUE = {
  'zh-CN': { ...app.zhCN, ...link.zhCN, ...enrol.zhCN, ...face.zhCN, ...gate.zhCN, ...booth.zhCN, ...error.zhCN, ...signing.zhCN, ...devices.zhCN, ...results.zhCN, ...projects.zhCN, ...draw.zhCN, ...ledDriver.zhCN, ...tender.zhCN, ...demo.zhCN, ...central.zhCN, ...experts.zhCN, ...store.zhCN, ...scripts.zhCN, ...committee.zhCN, ...committeeRecord.zhCN, ...review.zhCN, ...pades.zhCN, ...reportPdf.zhCN, ...reportRecord.zhCN, ...reportCli.zhCN, ...reportBooth.zhCN, ...report.zhCN },
  en: { ...app.en, ...link.en, ...enrol.en, ...face.en, ...gate.en, ...booth.en, ...error.en, ...signing.en, ...devices.en, ...results.en, ...projects.en, ...draw.en, ...ledDriver.en, ...tender.en, ...demo.en, ...central.en, ...experts.en, ...store.en, ...scripts.en, ...committee.en, ...committeeRecord.en, ...review.en, ...pades.en, ...reportPdf.en, ...reportRecord.en, ...reportCli.en, ...reportBooth.en, ...report.en },
} as const;
