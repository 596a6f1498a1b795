// Every method of the API, by name.
import { profileMethods } from './profiles.js';
import { triggerLaunchMethods } from './trigger-launch.js';
import type { MethodDef } from './types.js';
import { visibilityMethods } from './visibility.js';

export const methods: ReadonlyMap<string, MethodDef> = new Map([...triggerLaunchMethods, ...profileMethods, ...visibilityMethods].map((m) => [m.name, m]));
