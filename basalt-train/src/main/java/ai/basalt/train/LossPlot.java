package ai.basalt.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code loss.png}: the batch loss of every logged step, and the train and validation estimates of every evaluated
 * step, against the step. Drawn headless with XChart and written atomically.
 */
final class LossPlot {
    static final int WIDTH = 960;
    static final int HEIGHT = 540;

    private LossPlot() {}

    /** Draws {@code history} (in step order) to {@code file}. */
    static void write(Path file, List<StepMetrics> history, String title) {
        // no display is needed or wanted: AWT must not look for one (servers, CI, containers)
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step")
                .yAxisTitle("loss").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE).setMarkerSize(6);
        List<Long> steps = new ArrayList<>();
        List<Float> batch = new ArrayList<>();
        List<Long> evalSteps = new ArrayList<>();
        List<Float> evalTrain = new ArrayList<>();
        List<Long> valSteps = new ArrayList<>();
        List<Float> val = new ArrayList<>();
        for (StepMetrics m : history) {
            steps.add(m.step());
            batch.add(m.trainLoss());
            Evaluation e = m.evaluation();
            if (e.isNone()) continue;
            evalSteps.add(m.step());
            evalTrain.add(e.trainLoss());
            if (!Float.isNaN(e.validationLoss())) {
                valSteps.add(m.step());
                val.add(e.validationLoss());
            }
        }
        if (!steps.isEmpty()) chart.addSeries("train (batch)", steps, batch).setMarker(SeriesMarkers.NONE);
        if (!evalSteps.isEmpty()) series(chart.addSeries("train (estimate)", evalSteps, evalTrain));
        if (!valSteps.isEmpty()) series(chart.addSeries("validation", valSteps, val));
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot draw the loss plot (" + e + ")", e);
        }
        AtomicFiles.write(file, png);
    }

    private static void series(XYSeries s) {
        s.setMarker(SeriesMarkers.CIRCLE);
    }
}
