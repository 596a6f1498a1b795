// The wire policies of the request formats, by name: the dispatcher picks one by the body's
// format, and a task decodes its stored items with the one they came with.
import type { WirePolicy } from '../../core/values/wire.js';
import { jsonWire } from './json.js';
import { xmlWire } from './xml.js';

export const WIRES: ReadonlyMap<string, WirePolicy> = new Map([jsonWire, xmlWire].map((w) => [w.name, w]));
