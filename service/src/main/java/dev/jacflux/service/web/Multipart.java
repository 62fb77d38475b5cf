package dev.jacflux.service.web;

import dev.jacflux.service.problems.ApiProblem;
import dev.jacflux.service.problems.ProblemType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Multipart request bodies with exactly the expected parts. Reads through the request as the
 * request-size filter decorated it (so its byte count applies), and deletes the parts' temporary
 * files when the request ends.
 *
 * <pre>{@code
 * Multipart.requireMultipart(request, "model", "weights");                   // 415 otherwise
 * Mono<Map<String, Part>> parts = Multipart.read(request, Set.of("model", "weights"));   // 400 if one is missing or unexpected
 * }</pre>
 */
public final class Multipart {
    private Multipart() {
    }

    /** A 415 unless the request is {@code multipart/form-data}. */
    public static void requireMultipart(ServerRequest request, String... parts) {
        MediaType type = request.headers().contentType().orElse(null);
        if (type == null || !MediaType.MULTIPART_FORM_DATA.includes(type)) {
            throw ApiProblem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, request.method() + " " + request.path() + " expects multipart/form-data"
                    + " with the parts " + String.join(" and ", List.of(parts).stream().map(p -> "'" + p + "'").toList())
                    + ", got " + (type == null ? "no content type" : type.toString()));
        }
    }

    /** The parts by name, each expected exactly once. */
    public static Mono<Map<String, Part>> read(ServerRequest request, Set<String> expected) {
        return request.body(BodyExtractors.toParts())
                .doOnNext(part -> RequestResources.register(request.exchange(), () -> part.delete().subscribe()))
                .collectList()
                .map(list -> {
                    Map<String, Part> byName = new HashMap<>();
                    for (Part p : list) {
                        if (!expected.contains(p.name())) {
                            throw bad("unexpected part '" + p.name() + "'", expected);
                        }
                        if (byName.put(p.name(), p) != null) {
                            throw bad("part '" + p.name() + "' is given twice", expected);
                        }
                    }
                    for (String name : new TreeSet<>(expected)) {
                        if (!byName.containsKey(name)) {
                            throw bad("missing part '" + name + "'", expected);
                        }
                    }
                    return byName;
                });
    }

    /** The bytes of a part. */
    public static Mono<byte[]> bytes(Part part) {
        return org.springframework.core.io.buffer.DataBufferUtils.join(part.content()).map(buf -> {
            byte[] b = new byte[buf.readableByteCount()];
            buf.read(b);
            org.springframework.core.io.buffer.DataBufferUtils.release(buf);
            return b;
        });
    }

    private static ApiProblem bad(String what, Set<String> expected) {
        return ApiProblem.of(ProblemType.BAD_INPUT, "multipart body: " + what + "; expected the parts "
                + String.join(" and ", new TreeSet<>(expected).stream().map(p -> "'" + p + "'").toList()));
    }
}
