package dev.jacflux.service.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jacflux.service.JacFluxServiceApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * The service on a random port with a test token, small batches (so that requests are cut into
 * several) and small limits, shared by the WebTestClient tests (one context for all of them).
 */
@SpringBootTest(classes = JacFluxServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "jacflux.security.token=" + ServiceTestBase.TOKEN,
    "jacflux.batch-size=3",
    "jacflux.limits.max-request-size=1MiB",
    "jacflux.limits.max-result-size=64MiB",
    "jacflux.limits.max-concurrent-jobs=2",
    "jacflux.limits.retry-after=7"})
@AutoConfigureWebTestClient(timeout = "PT120S")
@Import(ServiceTestBase.Listeners.class)
public abstract class ServiceTestBase {
    /** The token of the test service. */
    public static final String TOKEN = "test-token-4f1c9a";
    /** The data directory of the test service (one per test JVM). */
    public static final Path DATA;
    /** Where tests write model files before uploading them. */
    public static final Path WORK;

    static {
        try {
            DATA = Files.createTempDirectory("jacflux-service-test-data");
            WORK = Files.createTempDirectory("jacflux-service-test-work");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("jacflux.data-dir", DATA::toString);
    }

    /** Extra listener beans of the test context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Listeners {
        @Bean
        RecordingListener recordingListener() {
            return new RecordingListener();
        }
    }

    @LocalServerPort
    protected int port;

    @Autowired
    private WebTestClient plain;

    /** A client without a token, buffering answers up to 128 MiB. */
    protected WebTestClient anonymous;
    /** A client with the token. */
    protected WebTestClient client;

    @BeforeEach
    void clients() {
        anonymous = plain.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(128 << 20)).build();
        client = anonymous.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN).build();
    }

    /** Uploads a model and returns its id (201). */
    protected String upload(TestModels.Files2 m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = client.post().uri("/v1/models")
                .body(BodyInserters.fromMultipartData(multipart(m.json(), m.weights())))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        return (String) body.get("id");
    }

    /** The multipart body of an upload. */
    protected static org.springframework.util.MultiValueMap<String, org.springframework.http.HttpEntity<?>> multipart(byte[] json,
            byte[] weights) {
        MultipartBodyBuilder b = new MultipartBodyBuilder();
        b.part("model", new ByteArrayResource(json) {
            @Override
            public String getFilename() {
                return "model.json";
            }
        }).contentType(MediaType.APPLICATION_JSON);
        b.part("weights", new ByteArrayResource(weights) {
            @Override
            public String getFilename() {
                return "weights.npz";
            }
        }).contentType(MediaType.APPLICATION_OCTET_STREAM);
        return b.build();
    }

    /** A two-part body of {@code .npy} files. */
    protected static org.springframework.util.MultiValueMap<String, org.springframework.http.HttpEntity<?>> npyParts(String n1, byte[] b1,
            String n2, byte[] b2) {
        MultipartBodyBuilder b = new MultipartBodyBuilder();
        if (n1 != null) {
            b.part(n1, named(b1, n1 + ".npy")).contentType(MediaType.APPLICATION_OCTET_STREAM);
        }
        if (n2 != null) {
            b.part(n2, named(b2, n2 + ".npy")).contentType(MediaType.APPLICATION_OCTET_STREAM);
        }
        return b.build();
    }

    private static ByteArrayResource named(byte[] bytes, String name) {
        return new ByteArrayResource(bytes) {
            @Override
            public String getFilename() {
                return name;
            }
        };
    }

    /** POSTs {@code npy} to the Jacobian endpoint and returns the answer's bytes (200 expected). */
    protected byte[] jacobian(String id, String query, byte[] npy) {
        byte[] out = client.post().uri("/v1/models/" + id + "/jacobian" + (query.isEmpty() ? "" : "?" + query))
                .contentType(MediaType.parseMediaType("application/x-npy"))
                .bodyValue(npy)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/x-npy")
                .expectBody(byte[].class).returnResult().getResponseBody();
        assertNotNull(out);
        return out;
    }

    /** Asserts a problem answer: status, content type, type URI and a detail containing each of {@code fragments}. */
    protected static String assertProblem(WebTestClient.ResponseSpec response, int status, String type, String... fragments) {
        @SuppressWarnings("unchecked")
        Map<String, Object> body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(Map.class).returnResult().getResponseBody();
        assertNotNull(body);
        assertEquals("urn:jacflux:problem:" + type, body.get("type"));
        assertEquals(status, ((Number) body.get("status")).intValue());
        assertNotNull(body.get("title"));
        String detail = (String) body.get("detail");
        for (String f : fragments) {
            org.assertj.core.api.Assertions.assertThat(detail).contains(f);
        }
        org.assertj.core.api.Assertions.assertThat(detail).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
        return detail;
    }
}
