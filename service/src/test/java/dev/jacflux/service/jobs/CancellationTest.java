package dev.jacflux.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.service.streaming.NpyHeader;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.RecordingListener;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A client that goes away in the middle of a streamed answer: the batches not yet computed are
 * cancelled (the listener and the meters see it), the job slot is freed, and far fewer batches
 * were started than the request had.
 */
class CancellationTest extends ServiceTestBase {
    @Autowired
    RecordingListener listener;
    @Autowired
    MeterRegistry registry;
    @Autowired
    JobSlots slots;

    @Test
    void disconnectingMidAnswerCancelsTheRemainingBatches() throws Exception {
        String id = upload(TestModels.write(TestModels.wide(), 81, WORK));
        long samples = 1900;   // 634 batches of 3; the answer is 1900 x 512 x 16 float32 = 62 MB
        byte[] body = Arrays2.npy(Arrays2.randn(82, DataType.FLOAT, samples, 16));
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)));
        listener.reset();
        double cancelledBefore = cancelledMeter();

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/models/" + id + "/jacobian HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/x-npy\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Type: application/x-npy");
            byte[] first = in.readNBytes(128);
            NpyHeader h = NpyHeader.parse(first, first.length, "answer");
            assertArrayEquals(new long[] {samples, 512, 16}, h.shape());
            in.readNBytes(64 * 1024);   // a little of the first rows, then go away
        }

        assertTrue(listener.firstCancel().await(60, TimeUnit.SECONDS), "a batch was cancelled");
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)), "the job slot was freed");
        assertThat(listener.started()).as("batches started of 634").isLessThan(300);
        assertThat(cancelledMeter()).isGreaterThan(cancelledBefore);
    }

    private double cancelledMeter() {
        var c = registry.find("jacflux.failed.batches").tag("reason", "cancelled").counter();
        return c == null ? 0 : c.count();
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
