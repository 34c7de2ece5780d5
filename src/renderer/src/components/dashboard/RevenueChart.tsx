/** A small bar chart of one currency's revenue per day (loaded lazily: recharts is large). */
import { format } from 'date-fns';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { money } from '../../lib/format';

export interface RevenueChartProps {
  currency: string;
  daily: Array<{ date: string; revenue: number }>;
}

const dayLabel = (date: string): string => {
  const d = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? date
    : format(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()), 'd MMM');
};

export default function RevenueChart({ currency, daily }: RevenueChartProps) {
  return (
    <figure className="chart" aria-label={`Revenue per day in ${currency}, last 30 days`}>
      <ResponsiveContainer width="100%" height={140}>
        <BarChart data={daily} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
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
