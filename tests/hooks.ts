import { startEarly, stopEarly } from "./early";
import { settle } from "./mocks";
import { reportUntaken, stderrHold } from "./quiet";

// From the loading of the test files on: stderr is held, not printed (tests/quiet.ts).
stderrHold.start();

/**
 * Root hooks (loaded by .mocharc.json): the work files declared with `early` starts before the first test and is
 * stopped after the last; no test's pending registrations run into the next test's mocks; and what the code under
 * test wrote to stderr without a test taking it fails the run at its end, printed under the test that wrote it.
 */
export const mochaHooks = {
    async beforeAll(): Promise<void> {
        stderrHold.start();
        stderrHold.now("the root before-all hook");
        await startEarly();
        await settle(); // what a `prepare` declared under the mocks is done before the first test's mocks
    },
    beforeEach(this: Mocha.Context): void {
        stderrHold.now(`the test "${this.currentTest?.fullTitle() ?? "?"}"`);
    },
    async afterEach(this: Mocha.Context): Promise<void> {
        await settle();
        stderrHold.now(`the hooks after "${this.currentTest?.fullTitle() ?? "?"}"`);
    },
    async afterAll(): Promise<void> {
        await stopEarly();
        const untaken = stderrHold.untaken();
        stderrHold.release();
        const report = reportUntaken(untaken);
        if (report !== "") throw new Error(report);
    },
};
