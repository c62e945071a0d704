import { settle } from "./mocks";

/** Root hooks (loaded by .mocharc.json): no test's pending registrations run into the next test's mocks. */
export const mochaHooks = {
    async afterEach(): Promise<void> {
        await settle();
    },
};
