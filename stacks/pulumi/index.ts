/** Entry point of `pulumi up -s <env>`: the stack's `gitplane:environment` names the environment file. */
import { stackProgram } from './program';

const outputs = stackProgram();

export const environment = outputs.environment;
export const buckets = outputs.buckets;
export const rootApplication = outputs.rootApplication;
