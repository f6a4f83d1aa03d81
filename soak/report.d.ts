import type { SoakReport } from './soak.js';

export function formatReport(report: SoakReport): string;
export function startMemorySampler(intervalMs: number): unknown;
