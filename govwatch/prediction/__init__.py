"""Predictive warning (超时风险预测, contract section 13): which open cases will breach their deadline.

Floors: above cases and supervision (it queues its messages through supervision's outbox and alert
rules); nothing here imports the entry points (web, api, reports, demo, bench).
"""
