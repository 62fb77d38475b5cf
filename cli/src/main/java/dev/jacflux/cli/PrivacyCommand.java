package dev.jacflux.cli;

import dev.jacflux.training.privacy.NoiseCalibration;
import dev.jacflux.training.privacy.PrivacySpent;
import dev.jacflux.training.privacy.RdpAccountant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jacflux privacy}: the privacy of DP-SGD with Poisson sampling by the RDP accountant
 * (Mironov, Talwar and Zhang 2019; Balle et al. 2020's conversion; Opacus's orders): epsilon and
 * the best order for a noise multiplier, sampling rate, number of steps and delta, or, with
 * {@code --target-epsilon}, the noise multiplier that reaches a target (bisection to within 1e-3).
 *
 * <pre>{@code
 * bin/jacflux privacy --noise-multiplier 1.1 --sample-rate 0.004267 --steps 14063 --delta 1e-5
 * bin/jacflux privacy --target-epsilon 3 --sample-rate 0.004267 --steps 14063 --delta 1e-5 --json
 * }</pre>
 */
@Command(name = "privacy", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = JacFluxCli.Version.class,
        header = "Epsilon of DP-SGD (RDP accountant), or the noise multiplier for a target epsilon.",
        description = {
            "The (epsilon, delta) guarantee of DP-SGD with Poisson sampling: T steps of the sampled Gaussian mechanism with"
                + " noise multiplier S and sampling rate Q = L/N, accounted in Renyi DP at the orders 1.1..10.9 and 12..63 and"
                + " converted by Balle et al. (2020), as Opacus does. Prints epsilon and the order that gave it.",
            "--target-epsilon E instead of --noise-multiplier: the noise multiplier that reaches E (never above it, within 1e-3).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  bin/jacflux privacy --noise-multiplier 1.1 --sample-rate 0.004267 \\",
            "      --steps 14063 --delta 1e-5",
            "  bin/jacflux privacy --target-epsilon 3 --sample-rate 0.004267 \\",
            "      --steps 14063 --delta 1e-5 --json",
            "",
            "--json prints one object: {\"epsilon\": E, \"delta\": D, \"order\": A,",
            "\"noise_multiplier\": S, \"sample_rate\": Q, \"steps\": T}.",
            "Exit codes: 0 success, 2 bad usage or bad input (one line on stderr naming",
            "the option and the problem), 1 internal error."})
public final class PrivacyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Noise noise;

    /** Exactly one of the noise multiplier or the target epsilon. */
    static final class Noise {
        @Option(names = "--noise-multiplier", required = true, paramLabel = "S",
                description = "Noise standard deviation over the clip norm (sigma > 0).")
        Double noiseMultiplier;

        @Option(names = "--target-epsilon", required = true, paramLabel = "E", description = "Find the noise multiplier for this epsilon.")
        Double targetEpsilon;
    }

    @Option(names = "--sample-rate", required = true, paramLabel = "Q", description = "Probability that an example joins a step (L/N), in (0, 1].")
    double sampleRate;

    @Option(names = "--steps", required = true, paramLabel = "T", description = "Number of steps (>= 1).")
    long steps;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "Delta, in (0, 1).")
    double delta;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
        validate();
        double sigma;
        if (noise.noiseMultiplier != null) {
            sigma = noise.noiseMultiplier;
        } else {
            try {
                sigma = NoiseCalibration.noiseMultiplier(noise.targetEpsilon, sampleRate, steps, delta);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--target-epsilon " + noise.targetEpsilon + ": " + e.getMessage(), e);
            }
        }
        PrivacySpent p = RdpAccountant.privacySpent(sigma, sampleRate, steps, delta);
        if (json) {
            spec.commandLine().getOut().println(json(p, sigma));
        } else {
            String line = String.format(Locale.ROOT, "epsilon %.4f at delta %s (best RDP order %s) for %d steps at sample rate %s,"
                    + " noise multiplier %s", p.epsilon(), number(delta), number(p.order()), steps, number(sampleRate), number(sigma));
            if (noise.targetEpsilon != null) {
                line = String.format(Locale.ROOT, "noise multiplier %s reaches epsilon %.4f (target %s) at delta %s (best RDP order %s)"
                        + " for %d steps at sample rate %s", number(sigma), p.epsilon(), number(noise.targetEpsilon), number(delta),
                        number(p.order()), steps, number(sampleRate));
            }
            spec.commandLine().getOut().println(line);
        }
        spec.commandLine().getOut().flush();
        return JacFluxCli.OK;
    }

    private void validate() {
        if (noise.noiseMultiplier != null && (!(noise.noiseMultiplier > 0) || noise.noiseMultiplier.isInfinite())) {
            throw usage("--noise-multiplier must be a finite number > 0, got " + noise.noiseMultiplier);
        }
        if (noise.targetEpsilon != null && (!(noise.targetEpsilon > 0) || noise.targetEpsilon.isInfinite())) {
            throw usage("--target-epsilon must be a finite number > 0, got " + noise.targetEpsilon);
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw usage("--sample-rate must lie in (0, 1], got " + sampleRate);
        }
        if (steps < 1) {
            throw usage("--steps must be >= 1, got " + steps);
        }
        if (!(delta > 0 && delta < 1)) {
            throw usage("--delta must lie in (0, 1), got " + delta);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The contract's object: {@code {"epsilon": E, "delta": D, "order": A, "noise_multiplier": S, "sample_rate": Q, "steps": T}}. */
    private String json(PrivacySpent p, double sigma) {
        return "{\"epsilon\": " + number(p.epsilon()) + ", \"delta\": " + number(delta) + ", \"order\": " + number(p.order())
                + ", \"noise_multiplier\": " + number(sigma) + ", \"sample_rate\": " + number(sampleRate) + ", \"steps\": " + steps + "}";
    }

    /** The shortest decimal that reads back as the same double ({@code 1e-05} style exponents as JSON allows). */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        String s = Double.toString(v);
        return s.contains("E") ? s.replace(".0E", "E").replace("E", "e") : s;
    }
}
