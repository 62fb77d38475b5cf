package dev.jacflux.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jacflux.model.io.NpyHeader;
import dev.jacflux.service.support.Arrays2;
import dev.jacflux.service.support.LogLines;
import dev.jacflux.service.support.RecordingListener;
import dev.jacflux.service.support.ServiceTestBase;
import dev.jacflux.service.support.TestModels;
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
 * A client that goes away in the middle of a streamed answer: the batches not yet written are
 * cancelled and counted ({@code jacflux_service_cancelled_batches_total}, and the pipeline's
 * {@code jacflux_failed_batches_total{reason="cancelled"}} for those it was computing), the job slot
 * is freed, and far fewer batches were started than the request had.
 */
class CancellationTest extends ServiceTestBase {
    private static final String PIPELINE_CANCELLED = "jacflux_failed_batches_total\\{job=\"batch-jacobian\",reason=\"cancelled\"\\}";
    private static final String SERVICE_CANCELLED = "jacflux_service_cancelled_batches_total";

    @Autowired
    RecordingListener listener;
    @Autowired
    JobSlots slots;

    @Test
    void disconnectingMidAnswerCancelsTheRemainingBatches() throws Exception {
        String id = upload(TestModels.write(TestModels.wide(), 81, WORK));
        long samples = 1900;   // 634 batches of 3; the answer is 1900 x 512 x 16 float32 = 62 MB
        byte[] body = Arrays2.npy(Arrays2.randn(82, DataType.FLOAT, samples, 16));
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)));
        listener.reset();
        double pipelineBefore = meter(PIPELINE_CANCELLED);
        double serviceBefore = meter(SERVICE_CANCELLED);
        try (LogLines log = new LogLines(JobHandler.class.getName())) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/models/" + id + "/jacobian HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: application/x-npy\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
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
            String line = log.await(l -> l.contains("the client went away"), Duration.ofSeconds(60));
            assertThat(line).as("the cancellation is logged").isNotNull().matches(".* after \\d+ of 634 batches; \\d+ batches cancelled");
            int dropped = Integer.parseInt(line.replaceAll(".*; (\\d+) batches cancelled", "$1"));
            assertThat(dropped).isGreaterThan(300);
            assertThat(meter(SERVICE_CANCELLED) - serviceBefore).isEqualTo((double) dropped);
        }
        assertTrue(slots.awaitIdle(Duration.ofSeconds(60)), "the job slot was freed");
        assertThat(listener.started()).as("batches started of 634").isLessThan(300);
        assertThat(meter(PIPELINE_CANCELLED) - pipelineBefore).as("batches cancelled mid-computation")
                .isEqualTo((double) listener.cancelled());
    }

    /** A series as Prometheus scrapes it (0 before it exists). */
    private double meter(String series) {
        String text = anonymous.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(series + " ([0-9.eE+]+)").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
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
