import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";

// Constructing the pack starts the policy server, so only `pulumi preview --policy-pack policy` loads this file;
// the tests import ./rules.
new PolicyPack("k3s-admin-mfa-guardrails", { policies: [...POLICIES] });
