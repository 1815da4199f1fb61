import { Construct } from 'constructs';

export interface RenderedConfigProps {
  /** Name users ask for with `gitplane config <name>`, e.g. `alertmanager`. */
  readonly name: string;
  /** One line on what the file is, for `gitplane config --list`. */
  readonly description: string;
  /** The file exactly as deployed (the same string the ConfigMap or Secret carries). */
  readonly content: string;
}

/**
 * Makes a component's rendered configuration file available to `gitplane config`, so users
 * debug, and tests check, exactly what is deployed. Declares; writes nothing.
 */
export class RenderedConfig extends Construct {
  public readonly configName: string;
  public readonly description: string;
  public readonly content: string;

  constructor(scope: Construct, id: string, props: RenderedConfigProps) {
    super(scope, id);
    this.configName = props.name;
    this.description = props.description;
    this.content = props.content;
  }
}
