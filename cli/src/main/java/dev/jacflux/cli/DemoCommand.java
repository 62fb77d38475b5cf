package dev.jacflux.cli;

import dev.jacflux.autodiff.Shapes;
import dev.jacflux.autodiff.Tensor;
import dev.jacflux.autodiff.transforms.RowLoop;
import dev.jacflux.config.JobKind;
import dev.jacflux.config.PipelineConfig;
import dev.jacflux.config.Precision;
import dev.jacflux.metrics.JacFluxMetrics;
import dev.jacflux.model.Loss;
import dev.jacflux.model.Model;
import dev.jacflux.pipeline.Batch;
import dev.jacflux.pipeline.BatchFailure;
import dev.jacflux.pipeline.JacobianPipeline;
import dev.jacflux.pipeline.JacobianResult;
import dev.jacflux.pipeline.JobDefinition;
import dev.jacflux.pipeline.ModelJobs;
import dev.jacflux.pipeline.PipelineResult;
import dev.jacflux.pipeline.StageTimings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import reactor.core.publisher.Flux;

/**
 * {@code jacflux demo}: the main job on an embedded default. A seeded synthetic stream of batches
 * ({@link DemoData}) flows through the reactive {@link JacobianPipeline} with a small built-in
 * MLP; one line is printed per batch, then a summary with the throughput in samples/s, a few
 * meters from a {@link SimpleMeterRegistry} bound to {@link JacFluxMetrics}, and a check of the
 * first batch against the loop reference ({@link RowLoop}: one backward pass per sample or per
 * output row). Exit code 1 if a batch fails or the check disagrees.
 *
 * <pre>{@code
 * bin/jacflux demo                                  # per-sample gradients, 40 batches of 64
 * bin/jacflux demo --job batch-jacobian --batches 10
 * bin/jacflux demo --quiet                          # only the summary line
 * }</pre>
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Stream synthetic batches through the pipeline with a built-in model.",
        description = {
            "Runs the main job on an embedded default: a seeded synthetic stream of batches through the reactive"
                + " pipeline with a small built-in MLP ([64] -> 32 tanh -> [10], 2410 parameters). Prints one line per batch,"
                + " a summary with the throughput in samples/s, the pipeline's meters, and a check of the first batch"
                + " against the slow loop reference.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux demo",
            "  bin/jacflux demo --job batch-jacobian --batches 10 --batch-size 32",
            "  bin/jacflux demo --job per-sample-gradient-norms --dtype float64 --quiet",
            "",
            "Jobs: per-sample-gradients (default; [B, 2410] per batch, cross_entropy),",
            "per-sample-gradient-norms ([B]), per-sample-param-jacobian ([B, 10, 2410]),",
            "batch-jacobian ([B, 10, 64]), full-jacobian ([B, 10, B, 64]).",
            "Exit codes: 0 success, 2 bad usage, 1 a batch failed or the check against",
            "the loop reference disagreed."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--job", paramLabel = "JOB", defaultValue = "per-sample-gradients", converter = JobConverter.class,
            description = "What each batch computes (default: ${DEFAULT-VALUE}; see below).")
    JobKind job;

    @Option(names = "--batches", paramLabel = "N", defaultValue = "40", converter = ComputeOptions.PositiveInt.class,
            description = "Batches in the stream (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64", converter = ComputeOptions.PositiveInt.class,
            description = "Samples per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the model and the data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-check", negatable = false, description = "Skip the check of the first batch against the loop reference.")
    boolean noCheck;

    @Mixin
    ComputeOptions compute;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        Reporter r = output.reporter(spec.commandLine());
        compute.applyThreads();
        DataType dtype = compute.dtype();
        DemoData data = new DemoData(seed, batchSize, dtype);
        Model model = data.model();
        long chunk = compute.chunkSizeGiven() ? compute.chunkSize() : defaultChunk();
        PipelineConfig config = PipelineConfig.builder()
                .job(job)
                .chunkSize((int) Math.min(Integer.MAX_VALUE, chunk))
                .memoryBudgetBytes(compute.memoryBudgetBytes() == 0 ? Long.MAX_VALUE : compute.memoryBudgetBytes())
                .precision(dtype == DataType.DOUBLE ? Precision.FLOAT64 : Precision.FLOAT32)
                .nd4jThreads(compute.threads())
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JacFluxMetrics metrics = new JacFluxMetrics();
        metrics.bindTo(registry);

        r.info(String.format(Locale.ROOT, "jacflux demo: %s of a built-in MLP [%d] -> %d tanh -> [%d] (%d parameters)", describe(job),
                DemoData.FEATURES, DemoData.HIDDEN, DemoData.CLASSES, model.parameterCount()));
        r.info(String.format(Locale.ROOT, "  %d seeded synthetic batches of %d samples, %s, %d rails, chunks of %d %s, "
                + "%d batches in flight", batches, batchSize, compute.dtypeName(), config.parallelism(), chunk,
                perSample(job) ? "samples" : "rows", config.batchesInFlight()));

        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong samples = new AtomicLong();
        AtomicLong entries = new AtomicLong();
        AtomicReference<INDArray> first = new AtomicReference<>();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (JacobianPipeline pipeline = JacobianPipeline.create(config, definition(model), metrics.listener())) {
            Flux<Batch> stream = Flux.range(0, batches).map(data::batch);
            pipeline.process(stream).doOnNext(result -> {
                if (result instanceof JacobianResult res) {
                    ok.incrementAndGet();
                    samples.addAndGet(res.samples());
                    entries.addAndGet(res.array().length());
                    if ("0".equals(res.attributes().get("index"))) {
                        first.set(res.array().dup());
                    }
                    r.info(line(res));
                    res.release();
                } else if (result instanceof BatchFailure f) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, f.batchId() + ": " + f.message());
                    r.info(String.format(Locale.ROOT, "%s  FAILED (%s): %s", f.batchId(), f.reason(), f.message()));
                }
            }).blockLast();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        r.always(String.format(Locale.ROOT, "summary: %d/%d batches ok, %d samples in %.2f s = %.0f samples/s (%s entries/s), %s",
                ok.get(), batches, samples.get(), seconds, samples.get() / seconds, si(entries.get() / seconds), describe(job)));
        if (!r.quiet()) {
            r.info("meters (SimpleMeterRegistry, JacFluxMetrics):");
            for (String m : meterLines(registry)) {
                r.info("  " + m);
            }
        }
        if (failed.get() > 0) {
            spec.commandLine().getErr().println("jacflux demo: " + failed.get() + " batch(es) failed, first " + firstFailure.get());
            return JacFluxCli.INTERNAL_ERROR;
        }
        if (!noCheck && first.get() != null) {
            return check(data, model, first.get(), r);
        }
        return JacFluxCli.OK;
    }

    private long defaultChunk() {
        return switch (job) {
            case BATCH_JACOBIAN -> DemoData.CLASSES / 2;
            case FULL_JACOBIAN -> Math.max(1, (long) batchSize * DemoData.CLASSES / 2);
            default -> Math.max(1, batchSize / 2);
        };
    }

    private static boolean perSample(JobKind k) {
        return k != JobKind.BATCH_JACOBIAN && k != JobKind.FULL_JACOBIAN;
    }

    private static String describe(JobKind k) {
        return switch (k) {
            case PER_SAMPLE_GRADIENTS -> "per-sample gradients (cross_entropy)";
            case PER_SAMPLE_GRADIENT_NORMS -> "per-sample gradient norms (cross_entropy)";
            case PER_SAMPLE_PARAM_JACOBIAN -> "per-sample parameter jacobians";
            case BATCH_JACOBIAN -> "batch jacobians of the logits";
            case FULL_JACOBIAN -> "full jacobians of the logits";
        };
    }

    private JobDefinition definition(Model model) {
        return ModelJobs.of(model, Loss.crossEntropy(), job);
    }

    private String line(JacobianResult res) {
        INDArray a = res.array();
        String stats;
        if (job == JobKind.PER_SAMPLE_GRADIENTS || job == JobKind.PER_SAMPLE_GRADIENT_NORMS) {
            double[] norms = (job == JobKind.PER_SAMPLE_GRADIENTS ? a.norm2(1) : a).toDoubleVector();
            Arrays.sort(norms);
            stats = String.format(Locale.ROOT, "|g| min %.3f median %.3f max %.3f", norms[0], norms[norms.length / 2], norms[norms.length - 1]);
        } else {
            stats = String.format(Locale.ROOT, "max |J| %.3f mean |J| %.4f", a.amaxNumber().doubleValue(), a.ameanNumber().doubleValue());
        }
        StageTimings t = res.timings();
        return String.format(Locale.ROOT, "%s  %d samples  %-16s %s  %6.1f ms (forward %.1f, vjp %.1f over %d chunks, assembly %.1f)",
                res.batchId(), res.samples(), Shapes.str(a.shape()), stats, ms(t.total().toNanos()), ms(t.forward().toNanos()),
                ms(t.vjp().toNanos()), t.chunks(), ms(t.assembly().toNanos()));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String si(double v) {
        if (v >= 1e9) {
            return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /**
     * One line per meter that recorded something, sorted by name and tags (the {@code job} tag, the
     * same everywhere, left out).
     */
    static List<String> meterLines(SimpleMeterRegistry registry) {
        List<Meter> meters = new ArrayList<>(registry.getMeters());
        meters.sort(Comparator.comparing((Meter m) -> m.getId().getName()).thenComparing(m -> tags(m)));
        List<String> out = new ArrayList<>();
        for (Meter m : meters) {
            String name = m.getId().getName() + tags(m);
            String value;
            if (!recorded(m)) {
                continue;
            }
            if (m instanceof Counter c) {
                value = String.format(Locale.ROOT, "%.0f", c.count());
            } else if (m instanceof Timer t) {
                value = String.format(Locale.ROOT, "count %d  mean %.2f ms  max %.2f ms", t.count(), t.mean(TimeUnit.MILLISECONDS),
                        t.max(TimeUnit.MILLISECONDS));
            } else if (m instanceof DistributionSummary d) {
                value = String.format(Locale.ROOT, "count %d  mean %.1f  max %.1f", d.count(), d.mean(), d.max());
            } else {
                value = String.valueOf(m.measure().iterator().next().getValue());
            }
            out.add(String.format(Locale.ROOT, "%-52s %s", name, value));
        }
        return out;
    }

    private static boolean recorded(Meter m) {
        if (m instanceof Counter c) {
            return c.count() > 0;
        }
        if (m instanceof Timer t) {
            return t.count() > 0;
        }
        if (m instanceof DistributionSummary d) {
            return d.count() > 0;
        }
        return false; // gauges (batches and chunks in flight) are 0 once the stream is done
    }

    private static String tags(Meter m) {
        List<Tag> tags = m.getId().getTags().stream().filter(t -> !t.getKey().equals("job")).toList();
        return tags.isEmpty() ? "" : tags.stream().map(t -> t.getKey() + "=" + t.getValue()).collect(Collectors.joining(",", "{", "}"));
    }

    /** Recomputes the first batch the slow way and compares. */
    private int check(DemoData data, Model model, INDArray fast, Reporter r) {
        Batch b = data.batch(0);
        INDArray x = b.input();
        INDArray reference;
        String how;
        Function<Tensor, Tensor> f = JacobianCommand.forward(model);
        switch (job) {
            case PER_SAMPLE_GRADIENTS -> {
                reference = RowLoop.perSampleGradients(model.lossFunction(Loss.crossEntropy()), x, b.targets(), model.parameters());
                how = x.size(0) + " single-sample backward passes";
            }
            case PER_SAMPLE_GRADIENT_NORMS -> {
                reference = RowLoop.perSampleGradients(model.lossFunction(Loss.crossEntropy()), x, b.targets(), model.parameters()).norm2(1);
                how = x.size(0) + " single-sample backward passes";
            }
            case PER_SAMPLE_PARAM_JACOBIAN -> {
                reference = RowLoop.perSampleJacobian(model.asFunction(), x, model.parameters());
                how = x.size(0) * DemoData.CLASSES + " single-sample, single-output backward passes";
            }
            case BATCH_JACOBIAN -> {
                reference = RowLoop.batchJacobian(f, x);
                how = DemoData.CLASSES + " one-hot backward passes";
            }
            default -> {
                reference = RowLoop.jacobian(f, x);
                how = x.size(0) * DemoData.CLASSES + " one-hot backward passes";
            }
        }
        double diff = fast.castTo(DataType.DOUBLE).sub(reference.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        double scale = reference.amaxNumber().doubleValue();
        double tol = (compute.dtype() == DataType.DOUBLE ? 1e-10 : 1e-4) * Math.max(1, scale);
        if (!(diff <= tol) || !Arrays.equals(fast.shape(), reference.shape())) {
            spec.commandLine().getErr().println(String.format(Locale.ROOT, "jacflux demo: check failed: b00 differs from the loop reference"
                    + " (%s) by max |diff| %.3g (tolerance %.3g)", how, diff, tol));
            return JacFluxCli.INTERNAL_ERROR;
        }
        r.info(String.format(Locale.ROOT, "check: b00 matches the loop reference (%s): max |diff| %.2g", how, diff));
        return JacFluxCli.OK;
    }

    /** Job names as in configuration files ({@code per-sample-gradients}, {@code batch-jacobian}, ...). */
    public static final class JobConverter implements ITypeConverter<JobKind> {
        @Override
        public JobKind convert(String value) {
            try {
                return JobKind.fromConfigName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
