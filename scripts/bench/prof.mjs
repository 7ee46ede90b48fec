import { startTargets, scenarios, measure, stopTargets } from './http.mjs';
const exec = process.argv[2] ?? process.execPath;
const which = Number(process.argv[3] ?? 2);
const t = await startTargets(exec);
const s = scenarios(t)[which];
await measure(s, t.auth, 2);
const m = await measure(s, t.auth, 6);
console.log(s.name, Math.round(m.reqPerSec), Math.round(m.cpuPerRequest));
await stopTargets(t);
