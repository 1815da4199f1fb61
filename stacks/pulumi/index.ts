/** Entry point of `pulumi up -s <env>`: the stack's `gitplane:environment` names the environment file. */
import * as pulumi from '@pulumi/pulumi';
import { loadEnvironment } from '../environment';
import { definePlatform } from './program';

const config = new pulumi.Config('gitplane');
const outputs = definePlatform(loadEnvironment(config.require('environment')), config);

export const environment = outputs.environment;
export const buckets = outputs.buckets;
export const rootApplication = outputs.rootApplication;
