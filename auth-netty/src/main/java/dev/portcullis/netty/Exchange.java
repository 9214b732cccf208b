package dev.portcullis.netty;

import io.netty.handler.codec.http.HttpRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request on its connection, replaced whole by the next: its head, whether its body and its response are through,
 * what the application's response gets added, and whether the connection closes after it.
 */
final class Exchange {
    final HttpRequest head;
    /** The request's last content arrived (or it had none). */
    boolean inboundDone;
    /** Its response was handed to the channel. */
    boolean outboundDone;
    /** The connection closes once the response is out (decided when this handler answers). */
    boolean closeAfterResponse;
    /** Headers the pipeline adds to the application's response ({@code WWW-Authenticate} on {@code /v2/}). */
    Map<String, String> responseHeaders = Map.of();
    /** The body of a request to an endpoint that reads it, while it is collected; else null. */
    @Nullable BoundedBody body;

    Exchange(HttpRequest head, boolean inboundDone) {
        this.head = head;
        this.inboundDone = inboundDone;
    }

    /** Releases the body being collected, if any. */
    void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
