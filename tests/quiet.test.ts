import * as assert from "node:assert/strict";
import { reportUntaken, StderrHold } from "./quiet";

/** A stand-in for process.stderr: what reaches it is what a person would see. */
function fakeStream(): { stream: NodeJS.WriteStream; printed: string[] } {
    const printed: string[] = [];
    const stream = {
        write(chunk: string | Uint8Array): boolean {
            printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
            return true;
        },
    } as unknown as NodeJS.WriteStream;
    return { stream, printed };
}

describe("quiet success: stderr held during the tests (tests/quiet.ts)", () => {
    it("prints nothing while held, and gives a test what it expected to be written", () => {
        const { stream, printed } = fakeStream();
        const hold = new StderrHold(stream);
        hold.start();
        hold.now("the test A");
        stream.write("error: [runtime] expected\n");
        stream.write(Buffer.from("and bytes\n"));
        assert.deepEqual(printed, []);
        assert.equal(hold.take(), "error: [runtime] expected\nand bytes\n");
        assert.deepEqual(hold.untaken(), []);
        hold.release();
        stream.write("after\n");
        assert.deepEqual(printed, ["after\n"]);
    });

    it("keeps what no test took, under the test that wrote it, and reports it indented", () => {
        const { stream } = fakeStream();
        const hold = new StderrHold(stream);
        hold.start();
        hold.now('the test "a b"');
        stream.write("warning: one\n");
        hold.now('the test "c"');
        stream.write("error: two\n    at somewhere\n");
        const untaken = hold.untaken();
        hold.release();
        assert.deepEqual(untaken, [
            { during: 'the test "a b"', text: "warning: one\n" },
            { during: 'the test "c"', text: "error: two\n    at somewhere\n" },
        ]);
        const report = reportUntaken(untaken);
        assert.match(report, /^output on stderr that no test expected/);
        assert.match(
            report,
            /\n {2}during the test "a b":\n {4}warning: one\n {2}during the test "c":\n {4}error: two\n {8}at somewhere\n$/,
        );
        assert.equal(reportUntaken([]), "");
    });

    it("lets blank lines pass: only text can look like an error", () => {
        // A child process run with execFileSync can leave a lone newline on the parent's stderr; nobody reads
        // that as a failure, and a test cannot take what its own code never wrote.
        assert.equal(
            reportUntaken([
                { during: "a", text: "\n" },
                { during: "b", text: "  " },
            ]),
            "",
        );
        assert.match(
            reportUntaken([
                { during: "a", text: "\n" },
                { during: "b", text: "oops\n" },
            ]),
            /during b:\n    oops/,
        );
    });

    it("still calls a write's callback, as the stream would once written", async () => {
        const { stream } = fakeStream();
        const hold = new StderrHold(stream);
        hold.start();
        const called = await new Promise<boolean>((resolve) => stream.write("x", () => resolve(true)));
        hold.release();
        assert.ok(called);
    });
});
