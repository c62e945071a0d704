import * as assert from "node:assert/strict";
import { profileNames, replaceSection } from "../commands/credentialsFile";

describe("shared credentials file editing", () => {
    it("replaces only the named section, keeping the blank line before the next one", () => {
        const before = "[a]\nx = 1\n\n[s]\nold = 1\n# old comment\n\n[b]\ny = 2\n";
        assert.equal(replaceSection(before, "s", ["new = 2"]), "[a]\nx = 1\n\n[s]\nnew = 2\n\n[b]\ny = 2\n");
    });

    it("appends a missing section after a blank line, and adds the final newline a file lacked", () => {
        assert.equal(replaceSection("[a]\nx = 1", "s", ["k = v"]), "[a]\nx = 1\n\n[s]\nk = v\n");
        assert.equal(replaceSection("", "s", ["k = v"]), "[s]\nk = v\n");
    });

    it("keeps Windows line endings", () => {
        assert.equal(replaceSection("[a]\r\nx = 1\r\n", "s", ["k = v"]), "[a]\r\nx = 1\r\n\r\n[s]\r\nk = v\r\n");
    });

    it("finds profiles in both files, `[profile name]` in the config file", () => {
        assert.deepEqual(profileNames("[default]\n[ k3s-admin ]\n", "credentials"), ["default", "k3s-admin"]);
        assert.deepEqual(profileNames("[default]\n[profile k3s-admin-mfa]\nrole_arn = x\n", "config"), [
            "default",
            "k3s-admin-mfa",
        ]);
    });
});
