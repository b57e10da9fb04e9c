/**
 * Writes docs/images/led-panel-seat.png: the seat call as a panel shows it, drawn from the panel
 * simulator after the real encoder's bytes went through it (so the picture is what the driver sends).
 * Run from the repository root: node --import tsx led-driver/scripts/render-docs-png.node.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSeatMessage } from '../src/led-driver.ts';
import { createBxProtocol } from '../src/led-display.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { renderPanelSimulator } from '../src/simulator/panel-png.node.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'docs', 'images', 'led-panel-seat.png');

const host = createBxProtocol();
const panel = new LedPanelSimulator({ protocol: 'onbon-bx', areaCount: 2 });
panel.receive(host.encodeShowText(0, formatSeatMessage(3, 'A5')));
const picture = renderPanelSimulator(panel, 2, { widthDots: 128 });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, picture.png);
console.log(`wrote ${out} (${picture.width}×${picture.height}, ${picture.png.length} bytes)`);
