/**
 * What the admin user's credentials say about a leak, read after the policies are proven (issue #20): a second MFA
 * device, or an enrolment window. Neither is a fault of the policies, so neither is retried as "IAM catching up";
 * both are states of the account an admin must hear about.
 */
import { type IAMClient, ListAccessKeysCommand, ListMFADevicesCommand } from "@aws-sdk/client-iam";

export interface CredentialChecks {
    /**
     * More MFA devices than this on the user fails the check. Default 1: IAM lets a user hold up to 8, and a device
     * a thief enrolled (with a leaked MFA session, or with bare keys before the person's own) passes every MFA check
     * from then on, silently. Raise it when the person keeps a backup device.
     */
    readonly maxMfaDevices?: number;
    /** Fail, rather than report on a line of its own, while active keys exist and no device is enrolled. */
    readonly failOnEnrolmentWindow?: boolean;
}

export interface CredentialState {
    /** A line that must fail the check. */
    readonly problem?: string;
    /** A line to report beside the verdict. */
    readonly note?: string;
}

const day = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : "date unknown");

export async function credentialState(
    iam: Pick<IAMClient, "send">,
    user: string,
    checks: CredentialChecks = {},
): Promise<CredentialState> {
    const max = checks.maxMfaDevices ?? 1;
    const devices = (await iam.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [];
    if (devices.length > max) {
        const listed = devices.map((d) => `${d.SerialNumber ?? "?"} enabled ${day(d.EnableDate)}`).join(", ");
        return {
            problem:
                `SECOND MFA DEVICE: ${user} has ${devices.length} MFA devices (${listed}), more than the ${max} ` +
                `expected; whoever holds a device and the keys passes every MFA check. If one is not the person's, ` +
                `deactivate it (aws iam deactivate-mfa-device --user-name ${user} --serial-number <arn>), deactivate ` +
                `the keys and revoke the user's sessions (docs/threat-model.md); if all are theirs, raise ` +
                `--max-mfa-devices`,
        };
    }
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
    const active = keys.filter((k) => k.Status === "Active").length;
    if (active === 0 || devices.length > 0) return {};
    // IAM's fix of AWS-2023-001 stops an enrolment without MFA only once a device exists: until then the keys enrol.
    const window =
        `ENROLMENT WINDOW OPEN: ${user} has ${active} active access key(s) and no MFA device, so whoever holds ` +
        `the keys can enrol their own device: enrol it now (README: Daily use) or deactivate the keys until then`;
    return checks.failOnEnrolmentWindow ? { problem: window } : { note: window };
}
