"""Sales dashboard: revenue by region and month."""
import dash
from dash import Input, Output, dcc, html
import pandas as pd
import plotly.express as px

df = pd.read_csv("data/sales.csv")

app = dash.Dash(__name__, title="Sales dashboard")

app.layout = html.Div(
    [
        html.H1("Sales"),
        dcc.Dropdown(sorted(df["region"].unique()), "North", id="region"),
        dcc.Graph(id="revenue"),
    ]
)


@app.callback(Output("revenue", "figure"), Input("region", "value"))
def update_revenue(region):
    rows = df[df["region"] == region]
    return px.bar(rows, x="month", y="revenue")


if __name__ == "__main__":
    app.run(debug=True)
