export function threadpoolSize(cores?: number): number;
export function applyRuntimeEnv(env?: NodeJS.ProcessEnv, cores?: number): NodeJS.ProcessEnv;
