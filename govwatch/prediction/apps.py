from django.apps import AppConfig


class PredictionConfig(AppConfig):
    name = "govwatch.prediction"
    verbose_name = "超时风险预测"
