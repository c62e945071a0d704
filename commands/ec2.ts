/**
 * The one EC2 call prove-mfa makes (RunInstances with DryRun), behind a narrow type of its own.
 *
 * Why not the client's types: @aws-sdk/client-ec2 declares EC2's whole API in 1,065 files, which tsc read on every
 * type-check of this project for this one call (a third of all the files it read; issue #14). The module itself is
 * loaded at run time as usual. What the narrow type cannot check, the wire test does: prove-mfa's requests reach a
 * stand-in that parses them as EC2 would (tests/standIn/, tests/proveMfa*.test.ts).
 */

/** The fields of EC2's RunInstancesRequest that the DryRun sends. */
export interface RunInstancesDryRun {
    readonly DryRun: true;
    readonly ImageId: string;
    readonly InstanceType: string;
    readonly SubnetId: string;
    readonly MinCount: 1;
    readonly MaxCount: 1;
}

/** What prove-mfa needs of an EC2 client: `send`, as every SDK v3 client has it. */
export interface Ec2 {
    send(command: object): Promise<unknown>;
}

/** The settings prove-mfa gives its clients (the same it gives STS and IAM). */
export interface Ec2Settings {
    readonly region: string;
    readonly profile?: string;
    readonly credentials?: {
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly sessionToken?: string;
    };
}

interface Ec2Module {
    readonly EC2Client: new (settings: Ec2Settings) => Ec2;
    readonly RunInstancesCommand: new (input: RunInstancesDryRun) => object;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (): Ec2Module => require("@aws-sdk/client-ec2") as Ec2Module;

export const ec2Client = (settings: Ec2Settings): Ec2 => new (load().EC2Client)(settings);

export const runInstancesDryRun = (input: RunInstancesDryRun): object => new (load().RunInstancesCommand)(input);
