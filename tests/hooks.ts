import { startEarly, stopEarly } from "./early";
import { settle } from "./mocks";

/**
 * Root hooks (loaded by .mocharc.json): the work files declared with `early` starts before the first test and is
 * stopped after the last; no test's pending registrations run into the next test's mocks.
 */
export const mochaHooks = {
    async beforeAll(): Promise<void> {
        await startEarly();
        await settle(); // what a `prepare` declared under the mocks is done before the first test's mocks
    },
    async afterAll(): Promise<void> {
        await stopEarly();
    },
    async afterEach(): Promise<void> {
        await settle();
    },
};
