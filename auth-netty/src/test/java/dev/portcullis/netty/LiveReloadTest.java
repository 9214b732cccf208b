package dev.portcullis.netty;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.LiveReloadChecks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zot's live reload behind the Netty handler. */
class LiveReloadTest {
    @TempDir
    Path dir;

    @Test
    void nettySwitchesToTheNewPolicyAndFinishesARequestUnderWayByTheOld() throws Exception {
        try (Portcullis portcullis = LiveReloadChecks.load(LiveReloadChecks.writeConfig(dir, true));
             NettyServer netty = new NettyServer(portcullis, false)) {
            LiveReloadChecks.check(netty.port(), dir, portcullis);
        }
    }
}
