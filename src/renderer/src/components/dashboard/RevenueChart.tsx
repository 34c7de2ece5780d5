/**
 * A small bar chart of one currency's gross revenue per day (loaded lazily: recharts is
 * large). To assistive technology it is one image whose name says what it shows (total,
 * busiest day); the chart itself is not a Tab stop (recharts' keyboard layer is off).
 */
import { format } from 'date-fns';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { money } from '../../lib/format';

export interface RevenueChartProps {
  currency: string;
  daily: Array<{ date: string; revenue: number }>;
  /** The dates the chart covers, as the card's heading tells them. */
  range: string;
}

const dayLabel = (date: string): string => {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? date
    : format(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), 'd MMM');
};

/** What the chart shows, in words: its name as an image. */
export function chartSummary({ currency, daily, range }: RevenueChartProps): string {
  const total = daily.reduce((sum, d) => sum + d.revenue, 0);
  const busiest = daily.reduce<RevenueChartProps['daily'][number] | null>(
    (best, d) => (best === null || d.revenue > best.revenue ? d : best),
    null,
  );
  const most =
    busiest && busiest.revenue > 0
      ? `, the most on ${dayLabel(busiest.date)} (${money(busiest.revenue, currency)})`
      : '';
  return `Gross revenue per day in ${currency}, ${range}: ${money(total, currency)} in all${most}`;
}

export default function RevenueChart(props: RevenueChartProps) {
  const { currency, daily } = props;
  return (
    <figure className="chart" role="img" aria-label={chartSummary(props)}>
      <ResponsiveContainer width="100%" height={140}>
        <BarChart
          data={daily}
          margin={{ top: 4, right: 4, bottom: 0, left: 0 }}
          accessibilityLayer={false}
        >
          <XAxis
            dataKey="date"
            tickFormatter={dayLabel}
            tickLine={false}
            minTickGap={24}
            fontSize={11}
          />
          <YAxis hide />
          <Tooltip
            cursor={{ fillOpacity: 0.15 }}
            labelFormatter={(label) => dayLabel(String(label))}
            formatter={(value) => [money(Number(value), currency), 'Revenue']}
          />
          <Bar
            dataKey="revenue"
            fill="var(--accent)"
            radius={[3, 3, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
