package dev.jacflux.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The JacFlux service: Jacobians and per-sample gradients of stored models over HTTP, streamed as
 * {@code .npy}, behind a bearer token, with health and Prometheus meters. Features live in their
 * packages, each contributing its routes ({@code RouterFunction} beans), health indicators and
 * public paths: {@code models} (the model store), {@code jobs} (Jacobian and gradient requests),
 * {@code streaming} ({@code .npy} in and out), {@code security}, {@code problems} (RFC 9457
 * errors), {@code web} (request log, size limit).
 *
 * <pre>{@code
 * bin/jacflux serve --port 8080 --data-dir ~/.jacflux
 * java -jar service/target/jacflux-service-0.1.0-SNAPSHOT.jar --port 0 --host 127.0.0.1
 * }</pre>
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class JacFluxServiceApplication {

    /** Starts the service; {@code --port N}, {@code --host H} and {@code --data-dir DIR} are accepted besides Spring's {@code --key=value}. */
    public static void main(String[] args) {
        String[] springArgs;
        try {
            springArgs = ServeArguments.toSpring(args);
        } catch (IllegalArgumentException e) {
            System.err.println("jacflux serve: " + e.getMessage());
            System.err.println(ServeArguments.USAGE);
            System.exit(2);
            return;
        }
        if (springArgs == null) {
            System.out.println(ServeArguments.USAGE);
            return;
        }
        SpringApplication.run(JacFluxServiceApplication.class, springArgs);
    }
}
