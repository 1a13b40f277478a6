"""Triage: recommend a group and agents for a new ticket by measured expertise, write the
recommendation back to Zendesk as rules/triage.yaml says, and keep Zendesk's routing skills
in step with the measurements.

Entry points: `run.triage_ticket`, `pickup.triage_new_tickets`, `skills.push_skills`.
"""
