import { AccessAnalyzerClient } from "@aws-sdk/client-accessanalyzer";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";

/**
 * The one aws-sdk-client-mock stub of each SDK client class, for every test file. mockClient(Class) replaces `send`
 * on the class's prototype: two calls for one class leave only the later stub answering, so which file's answers a
 * test got depended on which files the same process had loaded before (it broke under mocha's parallel workers).
 * Each user resets the stubs it programs in its own hooks.
 */
export const iamMock = mockClient(IAMClient);
export const stsMock = mockClient(STSClient);
export const analyzerMock = mockClient(AccessAnalyzerClient);
