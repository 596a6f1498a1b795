// Every method of the API, by name.
import { objectMethods } from './objects.js';
import { profileMethods } from './profiles.js';
import { triggerLaunchMethods } from './trigger-launch.js';
import { triggerManageMethods } from './triggers-manage.js';
import { triggerStartMethods } from './trigger-start.js';
import { taskMethods } from './tasks.js';
import type { MethodDef } from './types.js';
import { visibilityMethods } from './visibility.js';

export const methods: ReadonlyMap<string, MethodDef> = new Map([...triggerLaunchMethods, ...profileMethods, ...visibilityMethods, ...triggerManageMethods, ...objectMethods, ...triggerStartMethods, ...taskMethods].map((m) => [m.name, m]));
