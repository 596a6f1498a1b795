// What applying a provisioning file writes: every object normalised, ids checked, tokens hashed.
import type { DatabaseDef, HookDef, ResourceDef, SenderDef, TemplateDef, TriggerDef } from '../catalog/types.js';
import type { TokenRole } from './tokens.js';

export interface TokenPlan {
  hash: string;
  role: TokenRole;
  revoked: boolean;
  /** Rate limit of requests made with the token (spec 01); absent = unlimited. */
  ratePerSecond?: number;
  burst?: number;
}

export interface AccountPlan {
  id: number;
  name: string;
  tokens: TokenPlan[];
  senders: Omit<SenderDef, 'id'>[];
  databases: DatabaseDef[];
  resources: ResourceDef[];
  templates: TemplateDef[];
  triggers: TriggerDef[];
  hooks: Omit<HookDef, 'id'>[];
  /** Stop lists the file declares (spec 07): created, or renamed when the account has them already. */
  suppressionLists?: { id: number; name: string }[];
}

export interface ProvisionPlan {
  accounts: AccountPlan[];
}
