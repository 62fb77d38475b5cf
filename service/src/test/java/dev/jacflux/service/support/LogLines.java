package dev.jacflux.service.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Collects the formatted lines of one logger; {@link #await} blocks until a matching line arrives (no sleeps). */
public final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    /** Starts collecting the lines of {@code loggerName}. */
    public LogLines(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(event.getFormattedMessage());
    }

    /** The first line matching {@code wanted} within {@code timeout}, or null. */
    public String await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null || wanted.test(line)) {
                return line;
            }
        }
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
